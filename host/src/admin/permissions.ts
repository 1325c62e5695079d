/**
 * What each route of the host's admin API needs (pure). A static admin token grants the `admin`
 * role (and `metrics`); a Kubernetes identity needs, by SubjectAccessReview on the host, the right
 * to list what the route shows — the same question `kubectl get` would ask — so the API shows no
 * one what Kubernetes RBAC would not.
 */
import { GROUP, KINDS, PROPAGATED_KINDS } from '@herald/shared';
import type { Permission, ResourceAttributes } from '@herald/shared/auth';

const plural = (kind: string): string => KINDS.find((k) => k.kind === kind)?.plural ?? `${kind.toLowerCase()}s`;
const list = (kind: string): ResourceAttributes => ({ verb: 'list', group: GROUP, resource: plural(kind) });

/** By route path: what a caller must be allowed. */
export const ADMIN_ROUTES: Record<string, Permission> = {
  '/api/v1/clusters': { role: 'admin', attributes: [list('MemberCluster')] },
  '/api/v1/propagation': { role: 'admin', attributes: PROPAGATED_KINDS.map(list) },
};

/** /metrics when protected: `get` on the virtual resource hosts/metrics of herald.dev, in the host's namespace. */
export function metricsPermission(namespace: string): Permission {
  return { role: 'metrics', attributes: [{ verb: 'get', group: GROUP, resource: 'hosts', subresource: 'metrics', namespace, name: 'herald-host' }] };
}
