/**
 * Route stage: turns accepted requests (inbox rows) into segments, one per target and group, and
 * deletes the inbox row in the same transaction. Exact repeats of a notification already routed
 * to a target within the dedup window are dropped here.
 */
import { normalizeAlertmanager, type AlertmanagerPayload } from '../ingest/alertmanager.js';
import { normalizeAudit, type AuditEventList } from '../ingest/audit.js';
import { RateLimiter } from '../rules/rate-limit.js';
import type { Snapshot } from '../config/snapshot.js';
import type { Metrics } from '../metrics.js';
import type { Notification } from '../model/notification.js';
import type { InboxRow, Outbox, SegmentInsert } from '../store/outbox.js';
import { route } from '../routing/route.js';
import { dedupKeyOf, groupKeyOf } from './keys.js';
import { RecentKeys } from './recent.js';

export interface TouchedGroup {
  target: string;
  groupKey: string;
}

/** Normalizes one inbox row by its source; `parsed` is the body when ingest still has it. */
export type Normalizer = (row: InboxRow, snap: Snapshot, parsed: unknown) => Notification[];

/** Audit Rules' rate limits: windows live as long as the pipeline thread. */
const auditLimits = new RateLimiter();

export const normalizers: Record<string, Normalizer> = {
  alertmanager: (row, snap, parsed) =>
    normalizeAlertmanager(
      (parsed ?? JSON.parse(row.body)) as AlertmanagerPayload,
      { cluster: snap.settings.cluster.name, clusterLabels: snap.settings.cluster.labels },
      row.receivedAt,
    ),
  // Audit Rules select here, on the pipeline thread, so ingest only stores what the API server sent.
  audit: (row, snap, parsed) =>
    normalizeAudit((parsed ?? JSON.parse(row.body)) as AuditEventList, {
      rules: snap.rules,
      stamp: { cluster: snap.settings.cluster.name, clusterLabels: snap.settings.cluster.labels },
      allow: (rule) => auditLimits.allow(rule, row.receivedAt),
    }),
  // Kubernetes Events are selected and converted by the watch; the row holds the notifications.
  event: (row, _snap, parsed) => (parsed ?? JSON.parse(row.body)) as Notification[],
};

/**
 * Parsed bodies kept for the router. A parsed 50-alert body takes ~100 KB of heap, so only a few
 * are kept: when routing falls behind, the router parses the stored text instead of memory growing.
 */
const MAX_PREPARSED = 32;

export class RouteStage {
  private readonly preparsed = new Map<number, unknown>();
  readonly recent: RecentKeys;

  constructor(
    private readonly deps: { outbox: Outbox; snapshot: () => Snapshot; now: () => number; metrics?: Metrics; chunk?: number },
  ) {
    this.recent = new RecentKeys({ windowMs: () => deps.snapshot().settings.delivery.dedupWindowMs, maxEntries: 20_000 });
  }

  /** Ingest hands over the body it already parsed, so the common path parses once. */
  remember(inboxId: number, parsed: unknown): void {
    if (this.preparsed.size < MAX_PREPARSED) this.preparsed.set(inboxId, parsed);
  }

  routeRow(row: InboxRow, snap: Snapshot, now: number): SegmentInsert[] {
    const parsed = this.preparsed.get(row.id);
    this.preparsed.delete(row.id);
    const normalize = normalizers[row.source];
    const notifications = normalize ? normalize(row, snap, parsed) : [];
    const groups = new Map<string, { target: string; groupKey: string; items: Notification[] }>();
    const at = new Date(now);
    for (const n of notifications) {
      const result = route(n.labels, snap, at);
      if (result.silencedBy) this.deps.metrics?.silenced.inc();
      else if (result.targets.length === 0) this.deps.metrics?.unrouted.inc();
      const groupKey = groupKeyOf(n.labels, snap.settings.groupLabels);
      const dedupKey = dedupKeyOf(n);
      for (const t of result.targets) {
        if (this.recent.repeat(`${t.key}\u0000${dedupKey}`, now)) {
          this.deps.metrics?.suppressed.inc();
          continue;
        }
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
    }));
  }

  /** Routes up to one chunk of inbox rows; returns the groups that got segments, and whether more remain. */
  drainChunk(): { touched: TouchedGroup[]; more: boolean } {
    // 16 requests a chunk: enough to amortize the transaction, small enough to keep memory flat and
    // the write lock short (ingest on the other thread waits for it).
    const limit = this.deps.chunk ?? 16;
    const rows = this.deps.outbox.inbox(limit);
    const snap = this.deps.snapshot();
    const now = this.deps.now();
    const routed = rows.map((row) => ({ inboxId: row.id, segments: this.routeRow(row, snap, now) }));
    this.deps.outbox.routed(routed);
    const touched = new Map<string, TouchedGroup>();
    for (const r of routed) for (const g of r.segments) touched.set(`${g.target}\u0000${g.groupKey}`, { target: g.target, groupKey: g.groupKey });
    return { touched: [...touched.values()], more: rows.length === limit };
  }
}
