/**
 * What each agent route needs (pure). Three roles: `ingest` (Alertmanager's webhook and the API
 * server's audit backend), `admin` (verify, direct sends, history, dead letters) and `metrics`
 * (/metrics, when protected). A static token file grants a role; a Kubernetes identity needs a
 * SubjectAccessReview to allow the verb on the virtual resource `agents` of group herald.dev with
 * the role as subresource, in the agent's namespace, named herald-agent — the way kube-rbac-proxy
 * guards what it fronts. Reading admin routes is `get`, acting is `create`, discarding is `delete`.
 */
import type { Permission } from '@herald/shared/auth';

export type Role = 'ingest' | 'admin' | 'metrics';

const AGENT_AUTH_RESOURCE = { group: 'herald.dev', resource: 'agents', name: 'herald-agent' } as const;

/** The verb an admin request needs, by its HTTP method. */
function adminVerb(method: string): 'get' | 'create' | 'delete' {
  if (method === 'GET' || method === 'HEAD') return 'get';
  return method === 'DELETE' ? 'delete' : 'create';
}

export function agentPermission(role: Role, method: string, namespace: string): Permission {
  const verb = role === 'ingest' ? 'create' : role === 'metrics' ? 'get' : adminVerb(method);
  return { role, attributes: [{ verb, ...AGENT_AUTH_RESOURCE, subresource: role, namespace }] };
}
