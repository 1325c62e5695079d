/**
 * Kubernetes Events as a notification source: one list-then-watch per scope, Rules to select
 * (with no Event Rule, Warning events), and a ledger in SQLite so nothing is notified twice.
 *
 * A series (the same event repeating, its count rising) is coalesced: updates of an event wait in
 * memory for one group window and only the latest is notified, so a storm is one notification per
 * window, not one per update. Waiting updates are not yet in the ledger: if the agent dies, the
 * next list finds them again. Rules' rate limits bound what is left.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Snapshot } from '../config/snapshot.js';
import { eventFacts, eventNotification, occurrences, type KubeEvent } from '../ingest/kube-event.js';
import type { Notification } from '../model/notification.js';
import { eventRulesFor } from '../rules/match.js';
import { RateLimiter } from '../rules/rate-limit.js';
import type { Outbox } from '../store/outbox.js';
import type { Db } from '../store/schema.js';
import { EventLedger, type Seen } from './ledger.js';
import { EventWatch, type ChangeType } from './watch.js';

/** Shortest series window, so `batchMaxWait: 0s` does not turn a storm back into one notification per update. */
const MIN_SERIES_WINDOW_MS = 1000;
/** Past this many waiting events, write them at once rather than hold more in memory. */
const MAX_PENDING = 1000;

export interface EventSourceOptions {
  kc: KubeConfig;
  /** Namespaces to watch; undefined watches all of them. */
  namespaces: string[] | undefined;
  db: Db;
  outbox: Outbox;
  snapshot: () => Snapshot;
  /** New notifications are in the store: wake the pipeline. */
  nudge: () => void;
  log: (entry: Record<string, unknown>) => void;
  backoff?: { initialMs: number; maxMs: number };
}

interface Waiting {
  event: KubeEvent;
  scope: string;
  /** Decided once, at the first flush that tried it: a failed write must not spend the rate limit twice. */
  out?: Notification[];
}

export class EventSource {
  private readonly ledger: EventLedger;
  private readonly watches: EventWatch[] = [];
  private readonly pending = new Map<string, Waiting>();
  private readonly limiter = new RateLimiter();
  private timer: NodeJS.Timeout | undefined;
  private retrying = false;

  constructor(private readonly opts: EventSourceOptions) {
    this.ledger = new EventLedger(opts.db, opts.outbox);
  }

  async start(): Promise<void> {
    for (const namespace of this.opts.namespaces ?? [undefined]) {
      const scope = namespace ?? '';
      const watch = new EventWatch({
        kc: this.opts.kc,
        namespace,
        log: this.opts.log,
        backoff: this.opts.backoff,
        handlers: { onList: (items) => this.onList(scope, items), onChange: (type, ev) => this.onChange(scope, type, ev) },
      });
      this.watches.push(watch);
      await watch.start();
    }
  }

  /** Stops watching and writes what is waiting (the next start would find it anyway). */
  async stop(): Promise<void> {
    await Promise.all(this.watches.map((w) => w.stop()));
    this.flush();
  }

  private onList(scope: string, items: KubeEvent[]): void {
    const withUid = items.filter((e) => e.metadata.uid);
    if (!this.ledger.hasBaseline(scope)) {
      this.ledger.baseline(scope, withUid.map((e) => ({ uid: e.metadata.uid as string, count: occurrences(e) })), Date.now());
      return;
    }
    for (const e of withUid) this.consider(scope, e);
    // Events that expired while the watch was away are gone for good: forget them.
    const listed = new Set(withUid.map((e) => e.metadata.uid));
    this.ledger.forget(this.ledger.known(scope).filter((uid) => !listed.has(uid) && !this.pending.has(uid)));
  }

  private onChange(scope: string, type: ChangeType, event: KubeEvent): void {
    const uid = event.metadata.uid;
    if (!uid) return;
    if (type === 'DELETED') {
      if (!this.pending.has(uid)) this.ledger.forget([uid]);
      return;
    }
    this.consider(scope, event);
  }

  /** Holds the event for the window if it is news (a count not yet handled) and some rule selects it. */
  private consider(scope: string, event: KubeEvent): void {
    const uid = event.metadata.uid as string;
    const count = occurrences(event);
    const seen = this.ledger.seen(uid);
    if (seen !== undefined && count <= seen) return;
    const waiting = this.pending.get(uid);
    if (waiting && occurrences(waiting.event) >= count) return;
    if (eventRulesFor(this.opts.snapshot().rules, eventFacts(event)).length === 0) return;
    this.pending.set(uid, { event, scope });
    // While the store fails, the retry timer flushes: another attempt per event would only fail
    // again. Pending stays bounded by the cluster's live Events (one entry per uid).
    if (this.pending.size >= MAX_PENDING && !this.retrying) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), Math.max(MIN_SERIES_WINDOW_MS, this.opts.snapshot().settings.batchMaxWaitMs));
  }

  /** Writes the latest state of every waiting event and marks them handled, in one transaction. */
  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const snap = this.opts.snapshot();
    const stamp = { cluster: snap.settings.cluster.name, clusterLabels: snap.settings.cluster.labels };
    const now = Date.now();
    const notifications: Notification[] = [];
    const seen: Seen[] = [];
    for (const [uid, waiting] of this.pending) {
      const { event, scope } = waiting;
      seen.push({ uid, scope, count: occurrences(event) });
      // Over the limit is dropped on purpose, and marked handled so a restart does not send it.
      waiting.out ??= eventRulesFor(snap.rules, eventFacts(event)).flatMap((rule) => (this.limiter.allow(rule, now) ? [eventNotification(event, rule, stamp)] : []));
      notifications.push(...waiting.out);
    }
    try {
      this.ledger.commit({ notifications, seen, now });
      this.pending.clear();
      this.retrying = false;
      if (notifications.length > 0) this.opts.nudge();
    } catch (err) {
      // Kept waiting and tried again: the store may be busy, and nothing may be lost.
      if (!this.retrying) this.opts.log({ msg: 'cannot store Kubernetes Events; will retry', error: (err as Error).message });
      this.retrying = true;
      this.timer = setTimeout(() => this.flush(), MIN_SERIES_WINDOW_MS);
    }
  }
}
