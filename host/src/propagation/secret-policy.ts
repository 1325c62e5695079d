/**
 * Which Secrets may travel with Herald objects, and whose a member's Secret is (pure).
 *
 * The host reads a referenced Secret only from a namespace its admin allows (herald-host
 * --secret-namespace), never a MemberCluster's kubeconfig and never a ServiceAccount token; a
 * member gets it only in a namespace it lets Herald write to (MemberCluster spec.secretNamespaces,
 * where join gave the propagator a Role). On the member Herald writes only Secrets that are absent
 * or already its own: its own carry its label and an annotation naming the host Secret copied.
 */
import { COPIED_FROM_ANNOTATION, DEFAULT_SECRET_NAMESPACE, isHeraldsCopy, MANAGED_BY, MANAGED_BY_LABEL } from '@herald/shared/credential';

export { COPIED_FROM_ANNOTATION, MANAGED_BY, MANAGED_BY_LABEL };

/** Where join keeps the MemberClusters' kubeconfig Secrets on the host; never an allowed namespace. */
export const CLUSTERS_NAMESPACE = 'herald-clusters';
export const SERVICE_ACCOUNT_TOKEN = 'kubernetes.io/service-account-token';
/** What join writes when a MemberCluster names no secretNamespaces (registered before they existed). */
export const DEFAULT_MEMBER_SECRET_NAMESPACES: readonly string[] = [DEFAULT_SECRET_NAMESPACE];

export interface SecretRef {
  namespace: string;
  name: string;
}

export interface SecretRules {
  /** herald-host --secret-namespace: the only namespaces referenced Secrets are read from. */
  allowed: readonly string[];
  /** `namespace/name` of each MemberCluster's kubeconfig Secret → that MemberCluster. */
  kubeconfigs: ReadonlyMap<string, string>;
}

export const keyOf = (ref: SecretRef): string => `${ref.namespace}/${ref.name}`;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SECRET_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** Why herald-host must not start with these --secret-namespace values, or undefined. */
export function badSecretNamespaces(namespaces: readonly string[]): string | undefined {
  const bad = namespaces.find((ns) => !DNS_LABEL.test(ns));
  if (bad !== undefined) return `--secret-namespace ${JSON.stringify(bad)} is not a namespace name (a DNS label)`;
  if (namespaces.includes(CLUSTERS_NAMESPACE)) {
    return `--secret-namespace ${CLUSTERS_NAMESPACE} is refused: it holds the MemberClusters' kubeconfig Secrets, which no Herald object may reference`;
  }
  return undefined;
}

/**
 * Why the host must not even read this Secret, or undefined: outside the allowed namespaces, or a
 * MemberCluster's kubeconfig (wherever it is kept).
 */
export function refusedOnHost(ref: SecretRef, rules: SecretRules): string | undefined {
  const key = keyOf(ref);
  // The name goes into request paths and field selectors: only a real Secret name may.
  if (!SECRET_NAME.test(ref.name)) return `Secret ${JSON.stringify(key)} does not name a Secret (a DNS subdomain)`;
  const member = rules.kubeconfigs.get(key);
  if (member !== undefined) return `Secret ${key} is the kubeconfig of MemberCluster ${member}; Herald never propagates a member's credentials`;
  if (!rules.allowed.includes(ref.namespace)) return `Secret ${key} is not in an allowed namespace (herald-host --secret-namespace: ${rules.allowed.join(', ')})`;
  return undefined;
}

/** Why a Secret the host read must not travel (its type), or undefined. */
export function refusedByType(ref: SecretRef, type: string | undefined): string | undefined {
  return type === SERVICE_ACCOUNT_TOKEN ? `Secret ${keyOf(ref)} is of type ${SERVICE_ACCOUNT_TOKEN}; Herald never propagates ServiceAccount tokens` : undefined;
}

/** Why this member must not get the Secret (Herald may not write that namespace there), or undefined. */
export function refusedForMember(ref: SecretRef, member: { name: string; secretNamespaces: readonly string[] }): string | undefined {
  if (member.secretNamespaces.includes(ref.namespace)) return undefined;
  return (
    `Secret ${keyOf(ref)}: ${member.name} lets Herald write Secrets only in ${member.secretNamespaces.join(', ') || 'no namespace'} ` +
    `(MemberCluster spec.secretNamespaces); re-run heraldctl join ${member.name} … --secret-namespace ${ref.namespace}`
  );
}

/** The references the host may read: those no host-side rule refuses. */
export function readableRefs(refs: readonly SecretRef[], rules: SecretRules): SecretRef[] {
  return refs.filter((r) => refusedOnHost(r, rules) === undefined);
}

/** Whether a member's Secret is Herald's copy of this reference: its label and its annotation. */
export function isHeraldsSecret(ref: SecretRef, metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined): boolean {
  return isHeraldsCopy(ref, metadata);
}

/** A Secret on a member Herald may not overwrite: what the referencing objects' status says. */
export function notHeraldsMessage(ref: SecretRef, member: string): string {
  return `Secret ${keyOf(ref)} exists on ${member} and was not created by Herald; Herald will not overwrite it`;
}

/**
 * What a failed write of a Secret on a member means, for the referencing objects' status. 403: the
 * propagator has no Role there; 404: the namespace is missing (join creates it).
 */
export function secretWriteMessage(ref: SecretRef, member: string, status: number, detail: string): string {
  const rejoin = `re-run heraldctl join ${member} … --secret-namespace ${ref.namespace}`;
  if (status === 403) return `Secret ${keyOf(ref)}: ${member} forbids herald-propagator to write Secrets in ${ref.namespace} (403); ${rejoin}`;
  if (status === 404) return `Secret ${keyOf(ref)}: namespace ${ref.namespace} does not exist on ${member}; ${rejoin}`;
  return `Secret ${keyOf(ref)} could not be written on ${member}: ${detail}`;
}

/** Each MemberCluster's kubeconfig Secret (`namespace/name`, herald-system when it names none) → the MemberCluster. */
export function kubeconfigSecrets(members: readonly { metadata: { name: string }; spec: { kubeconfigSecretRef?: { namespace?: string; name: string } } }[]): Map<string, string> {
  return new Map(
    members.flatMap((m) => {
      const ref = m.spec.kubeconfigSecretRef;
      return ref ? [[`${ref.namespace || DEFAULT_SECRET_NAMESPACE}/${ref.name}`, m.metadata.name] as const] : [];
    }),
  );
}
