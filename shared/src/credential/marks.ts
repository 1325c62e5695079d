/**
 * Which Secrets on a member are Herald's to use (pure). The host marks the copies it makes (its
 * label and an annotation naming the host Secret copied); a member admin may offer a Secret of
 * their own to Herald objects with the label `herald.dev/usable: "true"`. The agent resolves
 * references only against these: the other Secrets of the namespaces it reads (its own ingest
 * token, its serving key, anything else kept there) stay out of reach of whoever writes a Receiver
 * on the host.
 */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'herald';
/** On a member Secret Herald created: the host Secret it copies (`namespace/name`). */
export const COPIED_FROM_ANNOTATION = 'herald.dev/copied-from';
/** On a member Secret made there by hand: Herald objects may reference it. */
export const USABLE_LABEL = 'herald.dev/usable';

interface Meta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Whether a member's Secret is Herald's copy of `namespace/name`: its label and its annotation. */
export function isHeraldsCopy(ref: { namespace: string; name: string }, metadata: Meta | undefined): boolean {
  return metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY && metadata.annotations?.[COPIED_FROM_ANNOTATION] === `${ref.namespace}/${ref.name}`;
}

/** Whether the agent may resolve a reference to this Secret: a copy the host made, or one offered by label. */
export function usableByHerald(metadata: Meta | undefined): boolean {
  if (metadata?.labels?.[USABLE_LABEL] === 'true') return true;
  return metadata?.name !== undefined && metadata.namespace !== undefined && isHeraldsCopy({ namespace: metadata.namespace, name: metadata.name }, metadata);
}
