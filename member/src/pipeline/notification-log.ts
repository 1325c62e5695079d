/**
 * The notification log (Alertmanager's nflog), per receiver channel and group: what the receiver
 * was last told. Pure: the deliverer reads an entry, asks `decide` what a batch means against it,
 * and stores the entry `decide` returns once the send is delivered.
 *
 * Alertmanager sends the whole state of its group every time (every firing alert, and those
 * resolved since its last notification). The log therefore keeps, per alert believed firing, the
 * Alertmanager group and request that last named it: once the last part of a newer request of
 * that group is seen, alerts it no longer names are no longer firing.
 */
import type { Notification, Status } from '../model/notification.js';

/** What an Alertmanager request said about itself (absent for other sources). */
export interface Origin {
  group: string;
  externalURL: string;
  truncated: number;
}

/** One segment of a batch as the log sees it: the request it came from and its notifications. */
export interface BatchPart {
  request: string;
  /** False for the leading parts of a request split over several batches. */
  final: boolean;
  origin: Origin | undefined;
  notifications: Notification[];
}

export interface LogEntry {
  /** Alerts the receiver believes firing: fingerprint → the Alertmanager group and request that named it. */
  firing: Map<string, { group: string; request: string }>;
  /** Alerts recently sent as resolved: fingerprint → when, and the Alertmanager (externalURL) that said so. */
  resolved: Map<string, { at: number; from: string }>;
  sentAt: number;
}

export interface Decision {
  send: boolean;
  /** Why it is sent or not, for history. */
  reason: string;
  /** What goes out: each Alertmanager alert once, in its latest state, and every other notification. */
  alerts: Notification[];
  /** Firing while the receiver should believe any alert of the group fires. */
  status: Status;
  externalURL: string;
  truncatedAlerts: number;
  /** The Alertmanager groups the alerts came from, in order. */
  sourceGroups: string[];
  /** The entry to store once this is delivered. */
  next: LogEntry;
}

/** Whether an alert of a request is a late HA copy (see staleCopies). */
type Stale = (origin: Origin, n: Notification) => boolean;

/**
 * A firing alert that another Alertmanager than the one that resolved it sends within the window
 * after the resolve is that peer's late copy, not a re-fire: an HA peer builds its notification
 * before it learns of the resolve (it waits peer_timeout × its position, then finds the resolve
 * in the gossiped log and, its firing set differing, sends the old state). A real re-fire comes
 * first from the peer that sent the resolve (the lowest position), so it is still delivered.
 */
function staleCopies(entry: LogEntry | undefined, now: number, windowMs: number): Stale {
  return (origin, n) => {
    if (n.status !== 'firing' || entry?.firing.has(n.fingerprint)) return false;
    const resolved = entry?.resolved.get(n.fingerprint);
    return resolved !== undefined && now - resolved.at < windowMs && resolved.from !== '' && resolved.from !== origin.externalURL;
  };
}

/** Collapses a batch: the latest state of each Alertmanager alert, at its first place; others as they came. */
function collapse(parts: readonly BatchPart[], stale: Stale): Notification[] {
  const out: Notification[] = [];
  const at = new Map<string, number>();
  for (const part of parts) {
    for (const n of part.notifications) {
      if (!part.origin) {
        out.push(n);
        continue;
      }
      if (stale(part.origin, n)) continue;
      const i = at.get(n.fingerprint);
      if (i === undefined) {
        at.set(n.fingerprint, out.length);
        out.push(n);
      } else out[i] = n;
    }
  }
  return out;
}

/** The receiver's belief after this batch: each part applied in order, stale alerts dropped at a request's last part. */
function believe(before: LogEntry['firing'], parts: readonly BatchPart[], stale: Stale): LogEntry['firing'] {
  const firing = new Map(before);
  for (const part of parts) {
    const origin = part.origin;
    if (!origin) continue;
    for (const n of part.notifications) {
      if (stale(origin, n)) continue;
      if (n.status === 'firing') firing.set(n.fingerprint, { group: origin.group, request: part.request });
      else firing.delete(n.fingerprint);
    }
    if (!part.final) continue;
    // The whole request is seen: its group's alerts that it does not name have left the group.
    for (const [fp, from] of firing) if (from.group === origin.group && from.request !== part.request) firing.delete(fp);
  }
  return firing;
}

function sameState(entry: LogEntry | undefined, { now, windowMs }: { now: number; windowMs: number }): string {
  const ago = Math.round((now - (entry?.sentAt ?? now)) / 1000);
  return `same state as sent ${ago}s ago (within the ${Math.round(windowMs / 1000)}s dedup window)`;
}

/** Why a batch goes out against the log, or undefined when it is what was last sent. */
function reasonToSend(
  entry: LogEntry | undefined,
  batch: { others: number; firingNow: string[]; resolvedNow: string[] },
  { now, windowMs }: { now: number; windowMs: number },
): string | undefined {
  if (batch.others > 0) return 'new notifications';
  if (batch.firingNow.some((fp) => !entry?.firing.has(fp))) return 'alerts newly firing';
  // Resolved and not told so within the window (an HA copy of a resolve is one delivery).
  if (batch.resolvedNow.some((fp) => entry?.firing.has(fp) === true || !recentlyResolved(entry, fp, now, windowMs))) return 'alerts newly resolved';
  if (batch.firingNow.length > 0 && entry && now - entry.sentAt >= windowMs) return 'repeat of a firing group';
  return undefined;
}

function recentlyResolved(entry: LogEntry | undefined, fp: string, now: number, windowMs: number): boolean {
  const at = entry?.resolved.get(fp)?.at;
  return at !== undefined && now - at < windowMs;
}

/** Why a batch is not sent: a peer's late copy, or the state already sent. */
function whyNot(entry: LogEntry | undefined, parts: readonly BatchPart[], stale: Stale, opts: { now: number; windowMs: number }): string {
  const late = parts.some(({ origin, notifications }) => origin !== undefined && notifications.some((n) => stale(origin, n)));
  if (late) return `late copy from another Alertmanager of alerts resolved within the ${Math.round(opts.windowMs / 1000)}s dedup window`;
  return sameState(entry, opts);
}

/** The resolves to remember after this batch: those within the window, and this batch's, with the Alertmanager that sent each. */
function resolvedAfter(entry: LogEntry | undefined, parts: readonly BatchPart[], alerts: readonly Notification[], { now, windowMs }: { now: number; windowMs: number }): LogEntry['resolved'] {
  const from = new Map(parts.flatMap((p) => (p.origin ? p.notifications.map((n) => [n, p.origin?.externalURL ?? ''] as const) : [])));
  const resolved = new Map([...(entry?.resolved ?? [])].filter(([, r]) => now - r.at < windowMs));
  for (const n of alerts) {
    const by = from.get(n);
    if (n.status === 'resolved' && by !== undefined) resolved.set(n.fingerprint, { at: now, from: by });
  }
  return resolved;
}

function sumTruncated(parts: readonly BatchPart[]): number {
  const byRequest = new Map<string, number>();
  for (const p of parts) if (p.origin) byRequest.set(p.request, p.origin.truncated);
  let sum = 0;
  for (const n of byRequest.values()) sum += n;
  return sum;
}

/**
 * What a batch means for a receiver that was last told `entry` (undefined: never). It is sent when
 * it carries a notification that is not an Alertmanager alert (events and audit are one-shot), an
 * alert newly firing, an alert newly resolved (or resolved without the log knowing it fired: it is
 * forwarded rather than lost), or when Alertmanager repeats a firing state `windowMs` or more
 * after the last send (a `repeat_interval` reminder). An identical state within `windowMs` (an HA
 * peer's copy, a retried request) is one delivery.
 */
export function decide(entry: LogEntry | undefined, parts: readonly BatchPart[], opts: { now: number; windowMs: number }): Decision {
  const { now, windowMs } = opts;
  const stale = staleCopies(entry, now, windowMs);
  const alerts = collapse(parts, stale);
  const firing = believe(entry?.firing ?? new Map<string, { group: string; request: string }>(), parts, stale);
  const origins = parts.flatMap((p) => (p.origin ? [p.origin] : []));
  const isAlert = new Set(parts.flatMap((p) => (p.origin ? p.notifications : [])));
  const resolvedNow = alerts.filter((n) => isAlert.has(n) && n.status === 'resolved').map((n) => n.fingerprint);
  const firingNow = alerts.filter((n) => isAlert.has(n) && n.status === 'firing').map((n) => n.fingerprint);
  const others = alerts.filter((n) => !isAlert.has(n));
  const resolved = resolvedAfter(entry, parts, alerts, opts);
  const next: LogEntry = { firing, resolved, sentAt: now };

  const reason = reasonToSend(entry, { others: others.length, firingNow, resolvedNow }, opts);
  const status: Status = firing.size > 0 || alerts.some((n) => n.status === 'firing') ? 'firing' : 'resolved';
  return {
    send: reason !== undefined,
    reason: reason ?? whyNot(entry, parts, stale, opts),
    alerts,
    status,
    externalURL: origins.at(-1)?.externalURL ?? '',
    truncatedAlerts: sumTruncated(parts),
    sourceGroups: [...new Set(origins.map((o) => o.group))],
    next,
  };
}

/** The stored form of an entry (JSON text; groups and requests named once). */
export function encodeEntry(e: LogEntry): { firing: string; resolved: string } {
  const names: string[] = [];
  const index = new Map<string, number>();
  const idOf = (s: string): number => {
    let i = index.get(s);
    if (i === undefined) {
      i = names.length;
      names.push(s);
      index.set(s, i);
    }
    return i;
  };
  const alerts = [...e.firing].map(([fp, from]) => [fp, idOf(from.group), idOf(from.request)]);
  return { firing: JSON.stringify({ names, alerts }), resolved: JSON.stringify([...e.resolved].map(([fp, r]) => [fp, r.at, r.from])) };
}

export function decodeEntry(row: { firing: string; resolved: string; sentAt: number }): LogEntry {
  const f = JSON.parse(row.firing) as { names: string[]; alerts: [string, number, number][] };
  const firing = new Map(f.alerts.map(([fp, g, r]) => [fp, { group: f.names[g] ?? '', request: f.names[r] ?? '' }] as const));
  // Rows written before the resolver was kept have no third element: then no copy counts as stale.
  const resolved = (JSON.parse(row.resolved) as [string, number, string?][]).map(([fp, at, from]) => [fp, { at, from: from ?? '' }] as const);
  return { firing, resolved: new Map(resolved), sentAt: row.sentAt };
}
