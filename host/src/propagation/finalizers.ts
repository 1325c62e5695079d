/**
 * Deletion (pure decisions). Every propagated host object carries Herald's finalizer, so deleting
 * it on the host first removes its copies from the members — or, with the orphan annotation,
 * leaves them there unmanaged (Herald's label stripped, so nothing prunes them later). A member
 * that is down never holds a deletion: its copies are pruned when it is back (an orphaned one
 * too — the controller cannot remember the wish across that gap).
 */
import type { Operation } from 'rfc6902';

export const FINALIZER = 'herald.dev/propagation';
const ORPHAN_ANNOTATION = 'herald.dev/orphan';

export interface Finalizable {
  metadata: { name: string; resourceVersion?: string; finalizers?: string[]; annotations?: Record<string, string>; deletionTimestamp?: string };
}

export const deleting = (o: Finalizable): boolean => o.metadata.deletionTimestamp !== undefined;
export const orphaned = (o: Finalizable): boolean => o.metadata.annotations?.[ORPHAN_ANNOTATION] === 'true';

/** The JSON patch that adds the finalizer, or undefined if it is there (or the object is going). */
export function addFinalizer(o: Finalizable): Operation[] | undefined {
  const list = o.metadata.finalizers;
  if (deleting(o) || list?.includes(FINALIZER)) return undefined;
  // The resourceVersion test makes a concurrent change fail the patch instead of being lost.
  const guard: Operation[] = o.metadata.resourceVersion ? [{ op: 'test', path: '/metadata/resourceVersion', value: o.metadata.resourceVersion }] : [];
  return [...guard, list ? { op: 'add', path: '/metadata/finalizers/-', value: FINALIZER } : { op: 'add', path: '/metadata/finalizers', value: [FINALIZER] }];
}

/** The JSON patch that removes the finalizer (tested in place, so only ours goes). */
export function removeFinalizer(o: Finalizable): Operation[] | undefined {
  const at = o.metadata.finalizers?.indexOf(FINALIZER) ?? -1;
  if (at < 0) return undefined;
  return [
    { op: 'test', path: `/metadata/finalizers/${at}`, value: FINALIZER },
    { op: 'remove', path: `/metadata/finalizers/${at}` },
  ];
}

export interface MemberCleanup {
  name: string;
  /** The member's last reconcile reached it. */
  reachable: boolean;
  /** When the last reconcile that reached it started (ms). */
  syncedAt: number;
  /** Keys (`Kind/name`) whose copies were still there after that reconcile. */
  remaining: ReadonlySet<string>;
}

/**
 * Whether the finalizer of a host object being deleted can go: every member that can be reached
 * has reconciled since the deletion was seen and holds no managed copy of it any more.
 */
export function cleanedUp(key: string, seenAt: number, members: readonly MemberCleanup[]): boolean {
  return members.every((m) => !m.reachable || (m.syncedAt >= seenAt && !m.remaining.has(key)));
}
