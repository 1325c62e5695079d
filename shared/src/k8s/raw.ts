/**
 * Raw requests to a Kubernetes API server with a kubeconfig's TLS and credentials. Objects go
 * over the wire exactly as given: client-node's typed serializer expects its camelCase models and
 * silently drops keys it does not know (such as `x-kubernetes-validations`).
 */
import { Agent, request as httpsRequest, type RequestOptions } from 'node:https';
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
  /** More request headers (the kubeconfig's credentials are added after these). */
  headers?: Record<string, string>;
}

const pooled = new WeakMap<KubeConfig, Agent>();

/**
 * client-node hands out a new Agent without keep-alive on every call, so each request would pay a
 * TLS handshake on both sides (5 ms here, and most of an API server's CPU in a propagation burst).
 * One keep-alive Agent per kubeconfig, with the same TLS settings, reuses connections instead.
 */
function keepAlive(kc: KubeConfig, made: RequestOptions['agent']): RequestOptions['agent'] {
  // A proxy or other special agent is kept as it is.
  if (!(made instanceof Agent) || made.constructor !== Agent) return made;
  let agent = pooled.get(kc);
  if (!agent) {
    agent = new Agent({ ...(made as Agent & { options: Record<string, unknown> }).options, keepAlive: true, maxSockets: 32 });
    pooled.set(kc, agent);
  }
  return agent;
}

function send(url: URL, options: RequestOptions, method: string, body: string | undefined): Promise<{ text: string; status: number } | { error: Error; reused: boolean }> {
  return new Promise((resolve) => {
    const req = httpsRequest(url, options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ text, status: res.statusCode ?? 0 }));
      res.on('error', (error) => resolve({ error, reused: false }));
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${options.timeout} ms`)));
    req.on('error', (error) => resolve({ error, reused: req.reusedSocket }));
    req.end(body);
  });
}

/** One request; resolves with the status and body text of any answer, rejects with KubeError (status 0) when none came. */
export async function rawResponse(kc: KubeConfig, method: string, path: string, opts: RawOptions = {}): Promise<{ status: number; text: string }> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new KubeError(0, 'kubeconfig has no current cluster');
  const url = new URL(path, cluster.server);
  const options: RequestOptions = {
    method,
    headers: { ...opts.headers, 'content-type': opts.contentType ?? 'application/json', accept: opts.accept ?? 'application/json' },
    timeout: opts.timeoutMs ?? 10_000,
  };
  await kc.applyToHTTPSOptions(options);
  options.agent = keepAlive(kc, options.agent);
  let answer = await send(url, options, method, opts.body);
  // A kept-alive connection the server had just closed: Node's advice is to try once more.
  if ('error' in answer && answer.reused && (answer.error as NodeJS.ErrnoException).code === 'ECONNRESET') answer = await send(url, options, method, opts.body);
  if ('error' in answer) throw new KubeError(0, `${method} ${url.pathname}: ${answer.error.message}`);
  return answer;
}

/** One request; resolves with the body text on 2xx, rejects with KubeError (status 0: no answer) otherwise. */
export async function rawRequest(kc: KubeConfig, method: string, path: string, opts: RawOptions = {}): Promise<string> {
  const { status, text } = await rawResponse(kc, method, path, opts);
  if (status >= 200 && status < 300) return text;
  throw new KubeError(status, `${method} ${new URL(path, 'https://x').pathname}: HTTP ${status}: ${messageOf(text)}`);
}

function messageOf(text: string): string {
  try {
    return (JSON.parse(text || '{}') as { message?: string }).message ?? text;
  } catch {
    return text;
  }
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
