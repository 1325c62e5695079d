/**
 * The least privilege the host controller needs on its own cluster (pure), derived from what it
 * calls: informers (list, watch) on MemberClusters, PropagationPolicies and every propagated kind;
 * finalizers on the propagated objects (patch); the status of those and of MemberClusters (patch);
 * the kubeconfig Secrets in herald-clusters (get by name); the Secrets Herald objects reference,
 * only in the allowed namespaces (a list by field selector); its leader Lease (created once, then
 * read and replaced by name); drift Events in `default` (the Herald kinds are cluster-scoped); and
 * TokenReviews and SubjectAccessReviews to authenticate admin API callers.
 * It may not write RBAC, delete namespaces, or read any other Secret.
 */
import { GROUP, KINDS, PROPAGATED_KINDS } from '@herald/shared';
import type { PolicyRule } from './rbac.js';

export const HOST = 'herald-host';
/** The leader Lease's name (herald-host --lease-namespace holds it). */
const HOST_LEASE = 'herald-host';
/** Where the controller's drift Events go: the objects they are about are cluster-scoped. */
export const EVENTS_NAMESPACE = 'default';

const plural = (kind: string): string => KINDS.find((d) => d.kind === kind)?.plural ?? `${kind.toLowerCase()}s`;

/** Cluster-wide rules of the host's ClusterRole. */
export function hostClusterRules(): PolicyRule[] {
  const propagated = PROPAGATED_KINDS.map(plural);
  const members = plural('MemberCluster');
  return [
    { apiGroups: [GROUP], resources: [members, plural('PropagationPolicy')], verbs: ['list', 'watch'] },
    // Finalizers (a JSON patch of metadata.finalizers); the spec is the users', never written.
    { apiGroups: [GROUP], resources: propagated, verbs: ['list', 'watch', 'patch'] },
    { apiGroups: [GROUP], resources: [...propagated, members].map((p) => `${p}/status`), verbs: ['patch'] },
    // Admin API callers with Kubernetes tokens: who they are, and whether they may list what a route shows.
    { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
    { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
  ];
}

/** Rules of the Role in the lease namespace: the leader Lease. */
export function hostLeaseRules(): PolicyRule[] {
  return [
    // `create` cannot be limited by name (the object does not exist yet).
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'update'], resourceNames: [HOST_LEASE] },
  ];
}

/** Rules of the Role in herald-clusters: the members' kubeconfig Secrets, each read by name. */
export function hostKubeconfigRules(): PolicyRule[] {
  return [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }];
}

/**
 * Rules of the Role in each allowed secret namespace: a referenced Secret is read by a list with a
 * field selector (so a ServiceAccount token's data is never fetched); `get` serves MemberClusters
 * registered before herald-clusters existed, whose kubeconfig is in herald-system.
 */
export function hostSecretRules(): PolicyRule[] {
  return [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }];
}

/** Rules of the Role in `default`: Events on host objects (patch: a repeat is counted on the same Event). */
export function hostEventRules(): PolicyRule[] {
  return [{ apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] }];
}
