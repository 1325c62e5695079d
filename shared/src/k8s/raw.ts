/**
 * Raw requests to a Kubernetes API server with a kubeconfig's TLS and credentials. Objects go
 * over the wire exactly as given: client-node's typed serializer expects its camelCase models and
 * silently drops keys it does not know (such as `x-kubernetes-validations`).
 */
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export class KubeError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'KubeError';
  }
}

export interface RawOptions {
  contentType?: string;
  accept?: string;
  body?: string;
  timeoutMs?: number;
}

/** One request; resolves with the body text on 2xx, rejects with KubeError (status 0: no answer) otherwise. */
export async function rawRequest(kc: KubeConfig, method: string, path: string, opts: RawOptions = {}): Promise<string> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new KubeError(0, 'kubeconfig has no current cluster');
  const url = new URL(path, cluster.server);
  const options: RequestOptions = {
    method,
    headers: { 'content-type': opts.contentType ?? 'application/json', accept: opts.accept ?? 'application/json' },
    timeout: opts.timeoutMs ?? 10_000,
  };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve(text);
        else reject(new KubeError(status, `${method} ${url.pathname}: HTTP ${status}: ${(JSON.parse(text || '{}') as { message?: string }).message ?? text}`));
      });
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${options.timeout} ms`)));
    req.on('error', (err) => reject(new KubeError(0, `${method} ${url.pathname}: ${err.message}`)));
    req.end(opts.body);
  });
}

export interface ObjectId {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

const CORE_PLURALS: Record<string, string> = { Secret: 'secrets', Namespace: 'namespaces', ServiceAccount: 'serviceaccounts', Service: 'services', ConfigMap: 'configmaps' };

/** The REST path of an object (Herald kinds are cluster-scoped; `plurals` maps their kinds). */
export function pathOf(o: ObjectId, plurals: Record<string, string> = {}): string {
  const plural = plurals[o.kind] ?? CORE_PLURALS[o.kind] ?? `${o.kind.toLowerCase()}s`;
  const base = o.apiVersion.includes('/') ? `/apis/${o.apiVersion}` : `/api/${o.apiVersion}`;
  const ns = o.metadata.namespace ? `/namespaces/${o.metadata.namespace}` : '';
  return `${base}${ns}/${plural}/${o.metadata.name}`;
}

/** Server-side apply of one object as `fieldManager`, taking over conflicting fields. */
export async function applyObject(kc: KubeConfig, o: ObjectId, opts: { fieldManager: string; plurals?: Record<string, string> }): Promise<void> {
  await rawRequest(kc, 'PATCH', `${pathOf(o, opts.plurals)}?fieldManager=${encodeURIComponent(opts.fieldManager)}&force=true`, {
    contentType: 'application/apply-patch+yaml',
    body: JSON.stringify(o),
  });
}

/** A MicroTime (Lease renewTime/acquireTime): RFC 3339 with exactly six fractional digits. */
export function microTime(at: Date): string {
  return at.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
