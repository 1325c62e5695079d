/**
 * Route stage: turns accepted requests (inbox rows) into segments, one per target and group, and
 * deletes the inbox row in the same transaction. Exact repeats of a Kubernetes Event or audit
 * event already routed to a target within the dedup window are dropped here; Alertmanager's
 * alerts are judged when sent, against the notification log (notification-log.ts).
 */
import { normalizeAlertmanager, type AlertmanagerPayload } from '../ingest/alertmanager.js';
import { normalizeAudit, type AuditEventList } from '../ingest/audit.js';
import { RateLimiter } from '../rules/rate-limit.js';
import type { Snapshot } from '../config/snapshot.js';
import type { Metrics } from '../metrics.js';
import type { Notification } from '../model/notification.js';
import type { InboxRow, Outbox, SegmentInsert } from '../store/outbox.js';
import { NO_INHIBITION, type InhibitionStage } from './inhibition.js';
import { route } from '../routing/route.js';
import { dedupKeyOf, groupKeyOf } from './keys.js';
import { RecentKeys } from './recent.js';
import type { Origin } from './notification-log.js';

export interface TouchedGroup {
  target: string;
  groupKey: string;
}

/** A request's notifications, and for an Alertmanager request what it said about itself. */
interface Normalized {
  notifications: Notification[];
  origin?: Origin;
}

/**
 * Normalizes one inbox row by its source, from the stored text: ingest runs on the main thread
 * and routing on the pipeline's, so a body parsed at ingest could not be handed over for less.
 */
type Normalizer = (row: InboxRow, snap: Snapshot) => Normalized;

/** Audit Rules' rate limits: windows live as long as the pipeline thread. */
const auditLimits = new RateLimiter();

const normalizers: Record<string, Normalizer> = {
  alertmanager: (row, snap) => {
    const payload = JSON.parse(row.body) as AlertmanagerPayload;
    const stamp = { cluster: snap.settings.cluster.name, clusterLabels: snap.settings.cluster.labels };
    return { notifications: normalizeAlertmanager(payload, stamp, row.receivedAt), origin: originOf(payload) };
  },
  // Audit Rules select here, on the pipeline thread, so ingest only stores what the API server sent.
  audit: (row, snap) => ({
    notifications: normalizeAudit(JSON.parse(row.body) as AuditEventList, {
      rules: snap.rules,
      stamp: { cluster: snap.settings.cluster.name, clusterLabels: snap.settings.cluster.labels },
      allow: (rule) => auditLimits.allow(rule, row.receivedAt),
    }),
  }),
  // Kubernetes Events are selected and converted by the watch; the row holds the notifications.
  event: (row) => ({ notifications: JSON.parse(row.body) as Notification[] }),
};

/**
 * An Alertmanager request's own identity. Without a groupKey (a hand-made request) the receiver
 * and group labels stand in for it, as Alertmanager builds its key from them.
 */
function originOf(p: AlertmanagerPayload): Origin {
  const group = p.groupKey ?? `${p.receiver ?? ''}:${JSON.stringify(p.groupLabels ?? {})}`;
  return { group, externalURL: p.externalURL ?? '', truncated: p.truncatedAlerts ?? 0 };
}

/** The rows to route together (pure): a row tried before goes alone; otherwise the rows up to the next one tried before. */
function chunkOf(rows: InboxRow[]): InboxRow[] {
  const next = rows.findIndex((r) => r.attempts > 0);
  if (next === 0) return rows.slice(0, 1);
  return next === -1 ? rows : rows.slice(0, next);
}

/** Routing attempts an accepted request gets before it goes to the dead letters. */
const MAX_ROUTE_ATTEMPTS = 3;

export class RouteStage {
  readonly recent: RecentKeys;
  /** The last store write of this thread failed (disk full, I/O): attempts were counted already. */
  private storeFailing = false;
  private readonly inhibition: InhibitionStage;

  constructor(
    private readonly deps: {
      outbox: Outbox;
      snapshot: () => Snapshot;
      now: () => number;
      metrics?: Metrics;
      inhibition?: InhibitionStage;
      chunk?: number;
      log?: (entry: Record<string, unknown>) => void;
    },
  ) {
    this.inhibition = deps.inhibition ?? NO_INHIBITION;
    this.recent = new RecentKeys({ windowMs: () => deps.snapshot().settings.delivery.dedupWindowMs, maxEntries: 20_000 });
  }

  routeRow(row: InboxRow, snap: Snapshot, now: number): SegmentInsert[] {
    const normalize = normalizers[row.source];
    const { notifications, origin } = normalize ? normalize(row, snap) : { notifications: [], origin: undefined };
    const groups = new Map<string, { target: string; groupKey: string; items: Notification[] }>();
    const at = new Date(now);
    // Sources first, so a request carrying an inhibiting alert and its targets mutes the targets.
    this.inhibition.observe(notifications, snap, now);
    for (const n of notifications) {
      const result = route(n.labels, snap, at);
      const targets = this.inhibition.sift(n, result.targets, snap, now);
      if (result.silencedBy) this.deps.metrics?.silenced.inc();
      else if (result.targets.length === 0) this.deps.metrics?.unrouted.inc();
      const groupKey = groupKeyOf(n.labels, snap.settings.groupLabels);
      const dedupKey = origin ? undefined : dedupKeyOf(n);
      for (const t of targets) {
        if (this.repeatOf(t.key, dedupKey, now)) continue;
        const id = `${t.key}\u0000${groupKey}`;
        const g = groups.get(id) ?? { target: t.key, groupKey, items: [] };
        g.items.push(n);
        groups.set(id, g);
      }
    }
    return [...groups.values()].map((g) => ({
      target: g.target,
      groupKey: g.groupKey,
      receivedAt: row.receivedAt,
      count: g.items.length,
      notifications: JSON.stringify(g.items),
      // Inbox ids can be reused once the inbox is empty; with the time they name one request.
      request: `${row.id}@${row.receivedAt}`,
      ...(origin ? { origin: JSON.stringify(origin) } : {}),
    }));
  }

  /** An Event or audit event this target got within the dedup window (Alertmanager alerts have no key: the log judges them). */
  private repeatOf(target: string, dedupKey: string | undefined, now: number): boolean {
    if (dedupKey === undefined || !this.recent.repeat(`${target}\u0000${dedupKey}`, now)) return false;
    this.deps.metrics?.suppressed.inc();
    return true;
  }

  /**
   * Routes up to one chunk of inbox rows; returns the groups that got segments, and whether more
   * remain. Each attempt is counted in the store before it runs. A row whose earlier attempt did
   * not finish — it threw, or the thread died with it (a body too big for the heap) — is routed on
   * its own, and after MAX_ROUTE_ATTEMPTS goes to the dead letters, so it never holds up the rows
   * behind it.
   */
  drainChunk(): { touched: TouchedGroup[]; more: boolean } {
    // 16 requests a chunk: enough to amortize the transaction, small enough to keep memory flat and
    // the write lock short (ingest on the other thread waits for it).
    const limit = this.deps.chunk ?? 16;
    const rows = this.deps.outbox.inbox(limit);
    const first = rows[0];
    if (!first) return { touched: [], more: false };
    const now = this.deps.now();
    if (first.attempts >= MAX_ROUTE_ATTEMPTS) {
      this.bury(first, now);
      return { touched: [], more: true };
    }
    const chunk = chunkOf(rows);
    const last = chunk[chunk.length - 1] as InboxRow;
    // After a failed store write in this thread the rows were counted already: a full disk must
    // not use up their attempts.
    if (!this.storeFailing) this.deps.outbox.beginAttempt(first.id, last.id);
    const { routed, failed } = this.routeAll(chunk, now);
    try {
      this.inhibition.commit(() => this.deps.outbox.routed(routed, failed));
      this.storeFailing = false;
    } catch (err) {
      this.storeFailing = true;
      throw err;
    }
    const touched = new Map<string, TouchedGroup>();
    for (const r of routed) for (const g of r.segments) touched.set(`${g.target}\u0000${g.groupKey}`, { target: g.target, groupKey: g.groupKey });
    return { touched: [...touched.values()], more: rows.length === limit || chunk.length < rows.length || failed.length > 0 };
  }

  /** Routes each row; one that throws is kept aside with its error instead of failing the chunk. */
  private routeAll(chunk: InboxRow[], now: number): { routed: { inboxId: number; segments: SegmentInsert[] }[]; failed: { id: number; error: string }[] } {
    const snap = this.deps.snapshot();
    const routed: { inboxId: number; segments: SegmentInsert[] }[] = [];
    const failed: { id: number; error: string }[] = [];
    for (const row of chunk) {
      try {
        routed.push({ inboxId: row.id, segments: this.routeRow(row, snap, now) });
      } catch (err) {
        failed.push({ id: row.id, error: `${row.source} request could not be routed: ${(err as Error).message}`.slice(0, 1000) });
      }
    }
    return { routed, failed };
  }

  private bury(row: InboxRow, now: number): void {
    const reason =
      row.lastError ??
      `routing did not finish in ${row.attempts} attempts: the pipeline thread stopped during each (most likely out of memory: the body is too large or too complex for --pipeline-heap-mb)`;
    this.deps.outbox.bury(row.id, reason, now);
    this.deps.metrics?.deadLettered.inc({ source: row.source });
    this.deps.log?.({ msg: 'request moved to the dead letters', inboxId: row.id, source: row.source, attempts: row.attempts, reason });
  }
}
