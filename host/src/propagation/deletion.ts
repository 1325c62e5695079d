/**
 * Deletion bookkeeping and the finalizer writes (I/O). The controller tells it what each member's
 * reconcile left behind; it adds Herald's finalizer to live host objects and removes it from a
 * deleted one once every reachable member has let go of the copies.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { GROUP, PLURALS, VERSION } from '@herald/shared';
import { secretRefsOf } from '@herald/shared/credential';
import { rawRequest } from '@herald/shared/k8s';
import { addFinalizer, cleanedUp, deleting, orphaned, removeFinalizer, type Finalizable, type MemberCleanup } from './finalizers.js';

export type Deletable = Finalizable & { kind: string; spec?: unknown };

const keyOf = (o: { kind: string; metadata: { name: string } }): string => `${o.kind}/${o.metadata.name}`;
const pathOf = (o: { kind: string; metadata: { name: string } }): string => `/apis/${GROUP}/${VERSION}/${PLURALS[o.kind] ?? ''}/${o.metadata.name}`;

/** Member paths of the copies an orphaning deletion keeps: the objects and the Secrets they reference. */
export function orphanPaths(objects: readonly Deletable[]): Set<string> {
  const kept = objects.filter((o) => deleting(o) && orphaned(o));
  const secrets = secretRefsOf(kept.map((o) => o.spec)).map((r) => `/api/v1/namespaces/${r.namespace}/secrets/${r.name}`);
  return new Set([...kept.map(pathOf), ...secrets]);
}

/** Keys of the deleted objects whose copies a member still holds (their removal failed). */
export function remainingOn(objects: readonly Deletable[], stillThere: ReadonlySet<string>): Set<string> {
  return new Set(objects.filter((o) => deleting(o) && stillThere.has(pathOf(o))).map(keyOf));
}

export class Deletion {
  private readonly seen = new Map<string, number>();
  private readonly members = new Map<string, MemberCleanup>();
  private running = false;

  constructor(private readonly opts: { kc: KubeConfig; log: (entry: Record<string, unknown>) => void; now: () => number }) {}

  /** Notes when a deletion was first seen: only reconciles after it count as cleaning up. */
  noteChanged(o: Deletable): void {
    if (deleting(o) && !this.seen.has(keyOf(o))) this.seen.set(keyOf(o), this.opts.now());
  }

  memberSynced(cleanup: MemberCleanup): void {
    this.members.set(cleanup.name, cleanup);
  }

  forget(member: string): void {
    this.members.delete(member);
  }

  /** Adds missing finalizers and removes those whose cleanup is done; one pass at a time. */
  async pass(objects: readonly Deletable[], memberNames: readonly string[]): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const members = memberNames.map((name) => this.members.get(name) ?? { name, reachable: true, syncedAt: -1, remaining: new Set<string>() });
      for (const o of objects) {
        this.noteChanged(o);
        const patch = deleting(o) ? (cleanedUp(keyOf(o), this.seen.get(keyOf(o)) ?? 0, members) ? removeFinalizer(o) : undefined) : addFinalizer(o);
        if (patch) await this.patch(o, patch);
      }
      const live = new Set(objects.map(keyOf));
      for (const key of this.seen.keys()) if (!live.has(key)) this.seen.delete(key);
    } finally {
      this.running = false;
    }
  }

  private async patch(o: Deletable, ops: unknown[]): Promise<void> {
    await rawRequest(this.opts.kc, 'PATCH', pathOf(o), { contentType: 'application/json-patch+json', body: JSON.stringify(ops) }).catch((err: unknown) =>
      // A conflict (the object changed) or a vanished object: the next pass sees the new state.
      this.opts.log({ msg: `cannot update the finalizer of ${keyOf(o)}`, error: (err as Error).message }),
    );
  }
}
