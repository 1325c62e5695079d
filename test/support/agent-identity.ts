/**
 * The agent's own identity on a harness cluster: a ServiceAccount bound to the least privilege the
 * agent needs, and a kubeconfig with a token the API server issues for it (TokenRequest). Tests
 * that run the agent with it check its RBAC, and audit policies can tell its requests apart.
 */
import { writeFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import { KINDS, PROPAGATED_KINDS } from '../../shared/src/index.js';
import { rawRequest } from '../../shared/src/k8s/raw.js';
import { kubeconfigYaml } from '../harness/kubeconfig.js';

const AGENT_NAMESPACE = 'herald-system';
const AGENT_SERVICE_ACCOUNT = 'herald-agent';
export const AGENT_USER = `system:serviceaccount:${AGENT_NAMESPACE}:${AGENT_SERVICE_ACCOUNT}`;

/** The kinds an agent reads: every kind the host propagates, by plural. */
const HERALD_KINDS = PROPAGATED_KINDS.map((k) => KINDS.find((d) => d.kind === k)?.plural ?? '');

/** What the agent does on a member: read its configuration, mark it Accepted, watch Events, heartbeat. */
const AGENT_RULES = [
  { apiGroups: ['herald.dev'], resources: HERALD_KINDS, verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['herald.dev'], resources: HERALD_KINDS.map((k) => `${k}/status`), verbs: ['get', 'patch', 'update'] },
  { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['list', 'watch'] },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update', 'patch'] },
  { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
  { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
];

/** Creates (or leaves in place) an object; a 409 means it is already there. */
async function ensure(kc: KubeConfig, path: string, body: unknown): Promise<void> {
  await rawRequest(kc, 'POST', path, { body: JSON.stringify(body) }).catch((err: { status?: number }) => {
    if (err.status !== 409) throw err;
  });
}

/** Sets up the agent's ServiceAccount and RBAC and writes a kubeconfig for it to `path`. */
export async function agentKubeconfig(admin: KubeConfig, server: { name: string; url: string; caPem: string }, path: string): Promise<string> {
  await ensure(admin, '/api/v1/namespaces', { metadata: { name: AGENT_NAMESPACE } });
  await ensure(admin, `/api/v1/namespaces/${AGENT_NAMESPACE}/serviceaccounts`, { metadata: { name: AGENT_SERVICE_ACCOUNT } });
  await ensure(admin, '/apis/rbac.authorization.k8s.io/v1/clusterroles', { metadata: { name: 'herald-agent' }, rules: AGENT_RULES });
  await ensure(admin, '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    metadata: { name: 'herald-agent' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'herald-agent' },
    subjects: [{ kind: 'ServiceAccount', name: AGENT_SERVICE_ACCOUNT, namespace: AGENT_NAMESPACE }],
  });
  const issued = JSON.parse(
    await rawRequest(admin, 'POST', `/api/v1/namespaces/${AGENT_NAMESPACE}/serviceaccounts/${AGENT_SERVICE_ACCOUNT}/token`, {
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 86_400 } }),
    }),
  ) as { status: { token: string } };
  writeFileSync(path, kubeconfigYaml({ name: server.name, server: server.url, caPem: server.caPem, token: issued.status.token }), { mode: 0o600 });
  return path;
}
