/**
 * What each route of the host's admin API needs (pure). A static admin token grants the `admin`
 * role (and `metrics`); a Kubernetes identity needs, by SubjectAccessReview on the host, what
 * `kubectl` would need for the same view — `list` on the kinds a route shows — and, for what the
 * host does on members in the caller's name, a verb on a virtual subresource of MemberCluster:
 * `create memberclusters/verify` to test-send, `get memberclusters/history` to read what was
 * sent, named after the member when the request names one (so RBAC `resourceNames` can limit a
 * person to some members). Nothing Kubernetes RBAC would not let the caller see or do.
 */
import { GROUP, PLURALS, PROPAGATED_KINDS } from '@herald/shared';
import type { Permission, ResourceAttributes } from '@herald/shared/auth';

const list = (kind: string): ResourceAttributes => ({ verb: 'list', group: GROUP, resource: PLURALS[kind] ?? `${kind.toLowerCase()}s` });
const onMembers = (verb: 'get' | 'create', subresource: 'verify' | 'history', name: string | undefined): ResourceAttributes => ({
  verb,
  group: GROUP,
  resource: 'memberclusters',
  subresource,
  ...(name ? { name } : {}),
});

/** The parts of a request a permission depends on: the route the router matched, and its parameters. */
export interface RouteRequest {
  method: string;
  routeOptions: { url?: string | undefined };
  params: unknown;
  query: unknown;
}

const field = (o: unknown, key: string): string | undefined => {
  const v = (o as Record<string, unknown> | null | undefined)?.[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

/** What a caller must be allowed for this request; undefined (refused) for a route without an entry. */
export function adminPermission(request: RouteRequest): Permission | undefined {
  const route = `${request.method} ${request.routeOptions.url ?? ''}`;
  switch (route) {
    case 'GET /api/v1/clusters':
      return { role: 'admin', attributes: [list('MemberCluster')] };
    case 'GET /api/v1/propagation':
      return { role: 'admin', attributes: PROPAGATED_KINDS.map(list) };
    case 'POST /api/v1/clusters/:cluster/verify':
      return { role: 'admin', attributes: [onMembers('create', 'verify', field(request.params, 'cluster'))] };
    case 'POST /api/v1/verify':
      return { role: 'admin', attributes: [onMembers('create', 'verify', undefined)] };
    case 'GET /api/v1/history':
      return { role: 'admin', attributes: [onMembers('get', 'history', field(request.query, 'cluster'))] };
    default:
      return undefined;
  }
}

/** /metrics when protected: `get` on the virtual resource hosts/metrics of herald.dev, in the host's namespace. */
export function metricsPermission(namespace: string): Permission {
  return { role: 'metrics', attributes: [{ verb: 'get', group: GROUP, resource: 'hosts', subresource: 'metrics', namespace, name: 'herald-host' }] };
}
