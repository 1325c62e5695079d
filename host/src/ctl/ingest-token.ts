/**
 * The agent's static ingest token, which `heraldctl join` makes once and keeps (Alertmanagers and
 * the API server's audit webhook hold it, so a re-run must not change it), copies into the
 * namespaces of Alertmanagers that read it from a Secret, and the Alertmanager configuration that
 * uses it, or a ServiceAccount token, which join prints.
 */
import { randomBytes } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { applyObject, KubeError, rawRequest } from '@herald/shared/k8s';
import { AGENT_PORT, INGEST_TOKEN_SECRET, PART_OF } from './manifests.js';
import { AGENT, NAMESPACE } from './rbac.js';

/** The Secret a copy of the token lives in, in each --alertmanager-token-namespace. */
export const INGEST_TOKEN_COPY = 'herald-ingest-token';
export const COPY_LABEL = 'herald.dev/ingest-token-copy';

const tokenOf = (text: string): string | undefined => {
  const encoded = (JSON.parse(text) as { data?: { token?: string } }).data?.token;
  return encoded ? Buffer.from(encoded, 'base64').toString('utf8') : undefined;
};

/** The token in herald-system/herald-agent-ingest-token, created (random, 256 bits) if there is none. */
export async function ensureIngestToken(kc: KubeConfig): Promise<{ token: string; created: boolean }> {
  const path = `/api/v1/namespaces/${NAMESPACE}/secrets/${INGEST_TOKEN_SECRET}`;
  const existing = await rawRequest(kc, 'GET', path).then(tokenOf, (err: unknown) => {
    if (err instanceof KubeError && err.status === 404) return undefined;
    throw err;
  });
  if (existing) return { token: existing, created: false };
  const token = randomBytes(32).toString('base64url');
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: INGEST_TOKEN_SECRET, namespace: NAMESPACE, labels: { ...PART_OF, 'app.kubernetes.io/name': AGENT } },
    type: 'Opaque',
    data: { token: Buffer.from(token).toString('base64') },
  };
  try {
    await rawRequest(kc, 'POST', `/api/v1/namespaces/${NAMESPACE}/secrets`, { body: JSON.stringify(secret) });
    return { token, created: true };
  } catch (err) {
    // Another join made it meanwhile: use that one.
    if (err instanceof KubeError && err.status === 409) return { token: tokenOf(await rawRequest(kc, 'GET', path)) as string, created: false };
    throw err;
  }
}

/**
 * Copies the token into `herald-ingest-token` in each namespace (prometheus-operator mounts a
 * Secret of the Alertmanager's own namespace). A same-named Secret that is not a copy of Herald's
 * is left alone: join stops and says so.
 */
export async function copyIngestToken(kc: KubeConfig, token: string, namespaces: readonly string[], fieldManager: string): Promise<void> {
  for (const namespace of namespaces) {
    await applyObject(kc, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }, { fieldManager });
    const path = `/api/v1/namespaces/${namespace}/secrets/${INGEST_TOKEN_COPY}`;
    const found = await rawRequest(kc, 'GET', path).then(
      (text) => JSON.parse(text) as { metadata: { labels?: Record<string, string> } },
      (err: unknown) => {
        if (err instanceof KubeError && err.status === 404) return undefined;
        throw err;
      },
    );
    if (found && found.metadata.labels?.[COPY_LABEL] !== 'true') {
      throw new Error(`Secret ${namespace}/${INGEST_TOKEN_COPY} exists and is not Herald's copy of the ingest token; join will not overwrite it`);
    }
    const copy = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: INGEST_TOKEN_COPY, namespace, labels: { ...PART_OF, [COPY_LABEL]: 'true' } },
      type: 'Opaque',
      data: { token: Buffer.from(token).toString('base64') },
    };
    await applyObject(kc, copy, { fieldManager });
  }
}

/** The Alertmanager receiver that posts to this agent, authenticated (pure). */
export function alertmanagerSnippet(o: { tls: boolean; serviceAccounts: boolean; tokenCopies: readonly string[] }): string {
  const url = `${o.tls ? 'https' : 'http'}://${AGENT}.${NAMESPACE}.svc:${AGENT_PORT}/api/v2/alerts`;
  const receiver = (credentials: string, note: string): string[] => [
    `# ${note}`,
    'receivers:',
    '  - name: herald',
    '    webhook_configs:',
    `      - url: ${url}`,
    '        send_resolved: true',
    '        http_config:',
    '          authorization:',
    `            credentials_file: ${credentials}`,
    ...(o.tls ? ['          tls_config:', '            ca_file: /etc/alertmanager/secrets/herald-agent-ca/ca.crt   # the CA of the agent\'s serving certificate'] : []),
  ];
  const forms: string[][] = [];
  if (o.serviceAccounts) forms.push(receiver('/var/run/secrets/kubernetes.io/serviceaccount/token', 'Alertmanager authenticates with its own ServiceAccount token (bound to the Role herald-system/herald-ingest)'));
  if (o.tokenCopies.length > 0 || !o.serviceAccounts) {
    const where = o.tokenCopies.length > 0 ? `the Secret ${INGEST_TOKEN_COPY} in ${o.tokenCopies.join(', ')}` : `${NAMESPACE}/${INGEST_TOKEN_SECRET} (copy it next to Alertmanager with --alertmanager-token-namespace)`;
    forms.push(receiver(`/etc/alertmanager/secrets/${INGEST_TOKEN_COPY}/token`, `Alertmanager sends the agent's ingest token, from ${where}; with prometheus-operator, list ${INGEST_TOKEN_COPY} in the Alertmanager's spec.secrets`));
  }
  return forms.map((f) => f.join('\n')).join('\n\n');
}
