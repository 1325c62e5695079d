/**
 * Grouper: closes a group into a batch once it holds batchMaxSize notifications or its oldest has
 * waited batchMaxWait. Timers are only triggers; the open groups themselves live in the store,
 * so a restart finds and schedules them again.
 */
import type { Snapshot } from '../config/snapshot.js';
import type { Outbox } from '../store/outbox.js';
import type { Clock } from './clock.js';

/**
 * About the most notification JSON in one batch: the pipeline thread parses a whole batch to send
 * it, so a group of alerts with huge annotations goes out in several batches, not one that does
 * not fit its heap (--pipeline-heap-mb).
 */
const BATCH_MAX_BYTES = 2 * 1024 * 1024;

export class Grouper {
  private readonly timers = new Map<string, { cancel(): void }>();
  private stopped = false;

  constructor(
    private readonly deps: { outbox: Outbox; snapshot: () => Snapshot; clock: Clock; onBatch: (target: string) => void },
  ) {}

  /** Looks at every open group (at start, and after routing). */
  scanAll(): void {
    for (const g of this.deps.outbox.openGroups()) this.consider(g.target, g.groupKey, g.count, g.oldest);
  }

  /** Re-examines one group after rows were added to it. */
  touch(target: string, groupKey: string): void {
    const g = this.deps.outbox.openGroup(target, groupKey);
    if (g) this.consider(target, groupKey, g.count, g.oldest);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }

  private consider(target: string, groupKey: string, count: number, oldest: number): void {
    if (this.stopped) return;
    const { batchMaxSize, batchMaxWaitMs } = this.deps.snapshot().settings;
    const id = `${target}\u0000${groupKey}`;
    const dueIn = oldest + batchMaxWaitMs - this.deps.clock.now();
    if (count >= batchMaxSize || dueIn <= 0) {
      this.timers.get(id)?.cancel();
      this.timers.delete(id);
      this.close(target, groupKey);
      return;
    }
    if (this.timers.has(id)) return;
    this.timers.set(
      id,
      this.deps.clock.setTimeout(() => {
        this.timers.delete(id);
        this.close(target, groupKey);
      }, dueIn),
    );
  }

  private close(target: string, groupKey: string): void {
    if (this.stopped) return;
    const { settings } = this.deps.snapshot();
    let made = false;
    // A full group may hold several batches' worth; close until it is empty.
    while (this.deps.outbox.closeGroup({ target, groupKey, maxSize: settings.batchMaxSize, maxBytes: BATCH_MAX_BYTES, now: this.deps.clock.now() }) !== undefined) {
      made = true;
    }
    if (made) this.deps.onBatch(target);
  }
}
