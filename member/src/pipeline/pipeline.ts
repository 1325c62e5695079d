/**
 * The agent's delivery pipeline: route → group → deliver, over the durable outbox. Ingest
 * calls `accepted()` after each commit; the pipeline works in chunks, yielding between them, so
 * ingest stays responsive under load. `start()` resumes whatever a previous run left.
 *
 * From ingest to record, each step and what does it (every arrow is a committed transaction):
 *  1. accept    api/ingest.ts, api/audit.ts (raw body, before the 2xx) and events/ledger.ts
 *               (Kubernetes Events, already notifications): Outbox.accept writes an inbox row;
 *               worker-handle.ts nudges this thread (worker.ts).
 *  2. normalise RouteStage.drainChunk → route-stage.ts normalizers: ingest/alertmanager.ts, and
 *               ingest/audit.ts with the Rules and their rate limits.
 *  3. route     routing/route.ts route(): global silences, routers, tenant receivers, tenant
 *               silences, channel selectors; inhibition.ts; Event/audit dedup (recent.ts).
 *  4. segment   RouteStage writes one segment per target and group (keys.ts groupKeyOf) and
 *               deletes the inbox row in the same transaction.
 *  5. group     Grouper.consider → Outbox.closeGroup: a batch at batchMaxSize, batchMaxWait or
 *               BATCH_MAX_BYTES.
 *  6. schedule  Deliverer.pass: the head batch of each target queue (Outbox.head), one at a time
 *               per queue, its throttle (throttle.ts) and the global concurrency permitting.
 *  7. decide    Deliverer.attempt → notification-log.ts decide(): send, or suppress what the
 *               target was already told (Alertmanager's notification log).
 *  8. resolve   target.ts resolveTarget: the receiver block, its Config (or the retryable
 *               "no Config"), credentials.
 *  9. render    sendOnce → template/ (chooseTemplate, the renderer), split per channel limits.
 * 10. send      notify/channels/<channel>.ts through notify/http.ts and the egress policy.
 * 11. record    Outbox.delivered | suppressed | retry (keys.ts backoffMs) | failed, with the
 *               failure reason (notify/failure-reason.ts): history, health, metrics.
 */
import type { Channel } from '@herald/shared';
import type { Snapshot } from '../config/snapshot.js';
import type { Metrics } from '../metrics.js';
import type { Notifier, Renderer } from '../notify/notifier.js';
import type { Outbox } from '../store/outbox.js';
import { systemClock, type Clock } from './clock.js';
import { Deliverer } from './deliverer.js';
import { Grouper } from './grouper.js';
import type { InhibitionStage } from './inhibition.js';
import { RouteStage } from './route-stage.js';

export interface PipelineDeps {
  outbox: Outbox;
  snapshot: () => Snapshot;
  notifiers: Partial<Record<Channel, Notifier>>;
  renderer: (snap: Snapshot) => Renderer;
  clock?: Clock;
  metrics?: Metrics;
  /** InhibitRules' state; without it nothing is inhibited. */
  inhibition?: InhibitionStage;
  log?: (entry: Record<string, unknown>) => void;
  random?: () => number;
}

const PRUNE_EVERY_MS = 60_000;

export class Pipeline {
  readonly deliverer: Deliverer;
  private readonly grouper: Grouper;
  private readonly router: RouteStage;
  private readonly clock: Clock;
  private draining = false;
  private again = false;
  private stopped = false;
  private pruneTimer: { cancel(): void } | undefined;

  constructor(private readonly deps: PipelineDeps) {
    this.clock = deps.clock ?? systemClock;
    const { outbox, snapshot, metrics } = deps;
    this.deliverer = new Deliverer({ ...deps, clock: this.clock });
    this.grouper = new Grouper({ outbox, snapshot, clock: this.clock, onBatch: (target) => this.deliverer.kick(target) });
    this.router = new RouteStage({ outbox, snapshot, now: () => this.clock.now(), metrics, ...(deps.inhibition ? { inhibition: deps.inhibition } : {}), ...(deps.log ? { log: deps.log } : {}) });
  }

  /** Resumes: routes what the inbox holds, schedules open groups, and sends due batches. */
  start(): void {
    this.grouper.scanAll();
    this.deliverer.kick();
    this.accepted();
    this.schedulePrune();
  }

  /** New work was committed to the inbox. Coalesces calls into one drain. */
  accepted(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = true;
    setImmediate(() => this.drain());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.pruneTimer?.cancel();
    this.grouper.stop();
    await this.deliverer.stop();
  }

  /** Current backlog, also exported as the queue-depth gauge. */
  depth(): ReturnType<Outbox['depth']> {
    const d = this.deps.outbox.depth();
    for (const [stage, value] of Object.entries(d) as [string, number][]) this.deps.metrics?.queueDepth.set({ stage }, value);
    return d;
  }

  private drain(): void {
    if (this.stopped) return;
    this.again = false;
    let more = false;
    try {
      const result = this.router.drainChunk();
      for (const g of result.touched) this.grouper.touch(g.target, g.groupKey);
      more = result.more;
    } catch (err) {
      // A failing chunk stays in the inbox (its transaction rolled back) and is retried shortly.
      this.deps.log?.({ msg: 'routing failed; will retry', error: (err as Error).message });
      this.clock.setTimeout(() => this.accepted(), 1000);
    }
    if (more || this.again) {
      setImmediate(() => this.drain());
      return;
    }
    this.draining = false;
  }

  private schedulePrune(): void {
    this.pruneTimer = this.clock.setTimeout(() => {
      const { settings } = this.deps.snapshot();
      this.deps.outbox.prune({
        now: this.clock.now(),
        retentionMs: settings.historyRetentionMs,
      });
      if (!this.stopped) this.schedulePrune();
    }, PRUNE_EVERY_MS);
  }
}
