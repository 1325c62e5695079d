/**
 * The least privilege each side needs on a member (pure). The agent reads the Herald kinds and
 * writes only their status; it reads Secrets only in the namespaces it is told to (where its
 * Configs' credentials live), watches Events, and renews its own Lease. The host's propagator
 * writes the Herald kinds, reads the agent's Lease, and writes Secrets only through a Role in each
 * namespace the member lets Herald write them to; it has no rights on namespaces (join creates them).
 */
import { GROUP, PROPAGATED_KINDS, KINDS } from '@herald/shared';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

export const NAMESPACE = 'herald-system';
export const AGENT = 'herald-agent';
export const PROPAGATOR = 'herald-propagator';
/** The name of the agent Service's port: the service proxy path and the RBAC resource name carry it. */
export const AGENT_PORT_NAME = 'http';

const heraldPlurals = (): string[] => PROPAGATED_KINDS.map((k) => KINDS.find((d) => d.kind === k)?.plural ?? `${k.toLowerCase()}s`);

/** Cluster-wide rules of the agent's ClusterRole. */
export function agentClusterRules(): PolicyRule[] {
  const plurals = heraldPlurals();
  return [
    { apiGroups: [GROUP], resources: plurals, verbs: ['get', 'list', 'watch'] },
    // Accepted conditions and delivery health; never the spec.
    { apiGroups: [GROUP], resources: plurals.map((p) => `${p}/status`), verbs: ['patch'] },
    // Kubernetes Events as a notification source.
    { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['get', 'list', 'watch'] },
    // Who calls the agent's API (ServiceAccount tokens, e.g. Alertmanager's) and whether they may:
    // what kube-rbac-proxy needs too (system:auth-delegator).
    { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
    { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
  ];
}

/** Rules of the agent's Role in each namespace whose Secrets it may read. */
export function agentSecretRules(): PolicyRule[] {
  return [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] }];
}

/**
 * What an identity needs to post alerts and audit events to the agent: `create` on the virtual
 * resource agents/ingest of herald.dev (the agent asks with a SubjectAccessReview).
 */
export function agentIngestRules(): PolicyRule[] {
  return [{ apiGroups: [GROUP], resources: ['agents/ingest'], verbs: ['create'] }];
}

/** Rules of the agent's Role in herald-system: its heartbeat Lease. */
export function agentLeaseRules(): PolicyRule[] {
  return [
    // `create` cannot be limited by name (the object does not exist yet).
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'update', 'patch'], resourceNames: [AGENT] },
  ];
}

/** Cluster-wide rules of the host's propagator on the member: the Herald kinds and the agent's Lease. */
export function propagatorRules(): PolicyRule[] {
  return [
    { apiGroups: [GROUP], resources: heraldPlurals(), verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get'], resourceNames: [AGENT] },
  ];
}

/**
 * Rules of the propagator's Role in herald-system for reaching the agent through the member API
 * server's service proxy (test-send and history from the host): the proxy itself, which RBAC
 * names as the path does, `<scheme>:<service>:<port name>` (the host asks with the scheme the
 * agent serves), and the agent's admin role, which the agent asks about by
 * SubjectAccessReview (read is `get`, verify is `create`). Nothing else on the Service.
 */
export function propagatorAgentRules(): PolicyRule[] {
  return [
    { apiGroups: [''], resources: ['services/proxy'], verbs: ['get', 'create'], resourceNames: ['http', 'https'].map((scheme) => `${scheme}:${AGENT}:${AGENT_PORT_NAME}`) },
    { apiGroups: [GROUP], resources: ['agents/admin'], verbs: ['get', 'create'], resourceNames: [AGENT] },
  ];
}

/**
 * Rules of the propagator's Role in each namespace the member lets Herald write Secrets to: the
 * referenced Secrets travel there with the objects (list finds Herald's copies to prune).
 */
export function propagatorSecretRules(): PolicyRule[] {
  return [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'create', 'update', 'patch', 'delete'] }];
}
