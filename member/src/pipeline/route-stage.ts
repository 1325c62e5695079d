/**
 * Route stage: turns accepted requests (inbox rows) into one pending row per notification and
 * receiver channel, in the group it joins there, and deletes the inbox row in the same transaction.
 */
import { normalizeAlertmanager, type AlertmanagerPayload } from '../ingest/alertmanager.js';
import type { Snapshot } from '../config/snapshot.js';
import type { Metrics } from '../metrics.js';
import type { Notification } from '../model/notification.js';
import type { InboxRow, Outbox, PendingInsert } from '../store/outbox.js';
import { route } from '../routing/route.js';
import { dedupKeyOf, groupKeyOf } from './keys.js';

export interface TouchedGroup {
  target: string;
  groupKey: string;
}

/** Normalizes one inbox row by its source; a source this agent does not know yields nothing. */
export type Normalizer = (row: InboxRow, snap: Snapshot) => Notification[];

export const normalizers: Record<string, Normalizer> = {
  alertmanager: (row, snap) =>
    normalizeAlertmanager(
      JSON.parse(row.body) as AlertmanagerPayload,
      { cluster: snap.settings.cluster.name, clusterLabels: snap.settings.cluster.labels },
      row.receivedAt,
    ),
};

export function routeRow(row: InboxRow, snap: Snapshot, now: Date, metrics?: Metrics): PendingInsert[] {
  const normalize = normalizers[row.source];
  const notifications = normalize ? normalize(row, snap) : [];
  const out: PendingInsert[] = [];
  for (const n of notifications) {
    const result = route(n.labels, snap, now);
    if (result.silencedBy) metrics?.silenced.inc();
    else if (result.targets.length === 0) metrics?.unrouted.inc();
    const groupKey = groupKeyOf(n.labels, snap.settings.groupLabels);
    const dedupKey = dedupKeyOf(n);
    const notification = JSON.stringify(n);
    for (const t of result.targets) out.push({ target: t.key, groupKey, dedupKey, receivedAt: row.receivedAt, notification });
  }
  return out;
}

export class RouteStage {
  constructor(
    private readonly deps: { outbox: Outbox; snapshot: () => Snapshot; now: () => number; metrics?: Metrics; chunk?: number },
  ) {}

  /** Routes up to one chunk of inbox rows; returns the groups that got rows, and whether more remain. */
  drainChunk(): { touched: TouchedGroup[]; more: boolean } {
    const limit = this.deps.chunk ?? 200;
    const rows = this.deps.outbox.inbox(limit);
    const snap = this.deps.snapshot();
    const now = new Date(this.deps.now());
    const routed = rows.map((row) => ({ inboxId: row.id, pending: routeRow(row, snap, now, this.deps.metrics) }));
    this.deps.outbox.routed(routed);
    const touched = new Map<string, TouchedGroup>();
    for (const r of routed) for (const p of r.pending) touched.set(`${p.target}\u0000${p.groupKey}`, { target: p.target, groupKey: p.groupKey });
    return { touched: [...touched.values()], more: rows.length === limit };
  }
}
