/**
 * Callers of the host's admin API with Kubernetes identities: a ServiceAccount in `ops` bound
 * cluster-wide to exactly these rules (none: bound to nothing), and a TokenRequest token of it.
 * The namespace `ops` must exist.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { rawRequest } from '../../shared/src/k8s/raw.js';

const RBAC = '/apis/rbac.authorization.k8s.io/v1';

export async function callerToken(kc: KubeConfig, name: string, rules: unknown[]): Promise<string> {
  const post = (path: string, body: unknown): Promise<string> => rawRequest(kc, 'POST', path, { body: JSON.stringify(body) });
  await post('/api/v1/namespaces/ops/serviceaccounts', { metadata: { name } });
  if (rules.length > 0) {
    await post(`${RBAC}/clusterroles`, { metadata: { name: `herald-test-${name}` }, rules });
    await post(`${RBAC}/clusterrolebindings`, {
      metadata: { name: `herald-test-${name}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `herald-test-${name}` },
      subjects: [{ kind: 'ServiceAccount', name, namespace: 'ops' }],
    });
  }
  const issued = JSON.parse(await post(`/api/v1/namespaces/ops/serviceaccounts/${name}/token`, { spec: { expirationSeconds: 3600 } })) as { status: { token: string } };
  return issued.status.token;
}
