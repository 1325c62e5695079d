/**
 * The durable outbox: every state an accepted notification passes through is a row here, and
 * every transition is one transaction, so a crash at any point loses nothing.
 *   inbox (raw accepted request) → segments (per target and group) → batch → delivered | failed
 * Rows are per request and per group, not per alert, which keeps the write cost of a large
 * Alertmanager batch close to that of one row.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './schema.js';
import type { LogEntry } from '../pipeline/notification-log.js';
import { decodeEntry, encodeEntry } from '../pipeline/notification-log.js';
import { isFailureReason, type FailureReason } from '../notify/failure-reason.js';
import type { HistoryOutcome } from '@herald/shared';

export interface InboxRow {
  id: number;
  receivedAt: number;
  source: string;
  body: string;
  count: number;
  /** Routing attempts begun (an attempt is counted before it starts, so a crash counts too). */
  attempts: number;
  lastError: string | undefined;
}

/** An accepted request the pipeline gave up routing. */
export interface DeadLetter {
  id: number;
  receivedAt: number;
  deadAt: number;
  source: string;
  count: number;
  attempts: number;
  reason: string;
  bytes: number;
}

/** The notifications of one request for one target and group, as a JSON array. */
export interface SegmentInsert {
  target: string;
  groupKey: string;
  receivedAt: number;
  count: number;
  notifications: string;
  /** The request it came from (unique across the store's life). */
  request: string;
  /** What Alertmanager said about the request (JSON of an Origin), for its alerts. */
  origin?: string;
}

/** A stored segment of a batch, as the deliverer reads it. */
export interface BatchSegment {
  request: string;
  /** False for the leading parts of a segment split over batches. */
  final: boolean;
  origin: string | undefined;
  notifications: string;
}

export interface OpenGroup {
  target: string;
  groupKey: string;
  count: number;
  oldest: number;
}

export interface Batch {
  id: number;
  target: string;
  groupKey: string;
  attempts: number;
  createdAt: number;
  firstReceivedAt: number;
  nextAttemptAt: number;
  count: number;
  /** Send attempts begun; more than `attempts` means one ended with the thread. */
  starts: number;
  /** Steps an earlier attempt delivered (step → the channel's answer). */
  progress: Record<string, string>;
}

export interface HistoryEntry {
  id: number;
  at: number;
  target: string;
  groupKey: string;
  /** `suppressed`: the notification log held it back; `inhibited`: an InhibitRule did (the answer says why). */
  outcome: HistoryOutcome;
  attempts: number;
  notifications: number;
  fingerprints: string[];
  answer: string;
  /** Why the attempt failed, for `retrying` and `failed` entries (notify/failure-reason.ts). */
  reason?: FailureReason;
}

export interface Depth {
  inbox: number;
  pending: number;
  batches: number;
}

/** Delivery totals of one target since the store began, and its latest outcomes. */
export interface TargetHealth {
  delivered: number;
  failed: number;
  pending: number;
  lastSuccessAt?: number;
  lastFailureAt?: number;
  lastError?: string;
}

export interface HistoryQuery {
  target?: string;
  /** Receiver name (Kubernetes names hold no LIKE wildcards). */
  receiver?: string;
  channel?: string;
  outcome?: string;
  since?: number;
  /** Only entries older than this id: the next page of a list. */
  before?: number | undefined;
  limit: number;
}

type Row = Record<string, unknown>;
const num = (v: unknown): number => Number(v);
/** The stored reason as a field, when the row has one (rows before the column, and successes, have none). */
const reasonOf = (v: unknown): { reason?: FailureReason } => (isFailureReason(v) ? { reason: v } : {});
/**
 * How many notifications of a segment that does not fit whole go into the batch (pure): what the
 * count and the bytes left allow, by its average notification size, and at least one when the
 * batch would otherwise be empty. 0: the batch is full.
 */
export function partOf(segment: { count: number; bytes: number }, left: { room: number; byteRoom: number; first: boolean }): number {
  const perNotification = segment.bytes / Math.max(1, segment.count);
  const byBytes = Math.floor(Math.max(0, left.byteRoom) / Math.max(1, perNotification));
  const n = Math.min(left.room, segment.count, byBytes);
  return left.first ? Math.max(1, n) : n;
}

const toBatch = (r: Row): Batch => ({
  id: num(r['id']),
  target: String(r['target']),
  groupKey: String(r['group_key']),
  attempts: num(r['attempts']),
  createdAt: num(r['created_at']),
  firstReceivedAt: num(r['first_received_at']),
  nextAttemptAt: num(r['next_attempt_at']),
  count: num(r['count']),
  starts: num(r['starts'] ?? 0),
  progress: typeof r['progress'] === 'string' ? (JSON.parse(r['progress']) as Record<string, string>) : {},
});

export class Outbox {
  private readonly s;

  constructor(private readonly db: Db) {
    const p = (sql: string): Statement<unknown[]> => db.prepare<unknown[]>(sql);
    this.s = {
      accept: p('INSERT INTO inbox (received_at, source, body, count) VALUES (?, ?, ?, ?)'),
      inbox: p('SELECT id, received_at, source, body, count, attempts, last_error FROM inbox ORDER BY id LIMIT ?'),
      deleteInbox: p('DELETE FROM inbox WHERE id = ?'),
      attempt: p('UPDATE inbox SET attempts = attempts + 1 WHERE id >= ? AND id <= ?'),
      attemptFailed: p('UPDATE inbox SET last_error = ? WHERE id = ?'),
      bury: p('INSERT INTO dead_letters (received_at, dead_at, source, body, count, attempts, reason) SELECT received_at, ?, source, body, count, attempts, ? FROM inbox WHERE id = ?'),
      deadLetters: p('SELECT id, received_at, dead_at, source, count, attempts, reason, length(body) AS bytes FROM dead_letters ORDER BY id DESC LIMIT ?'),
      deadLetterBody: p('SELECT body FROM dead_letters WHERE id = ?'),
      deadLetterCount: p('SELECT COUNT(*) AS n FROM dead_letters'),
      requeue: p('INSERT INTO inbox (received_at, source, body, count) SELECT received_at, source, body, count FROM dead_letters WHERE id = ?'),
      dropDeadLetter: p('DELETE FROM dead_letters WHERE id = ?'),
      insertSegment: p('INSERT INTO segments (target, group_key, received_at, count, notifications, batch_id, request, origin, part) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      openGroups: p(
        'SELECT target, group_key, SUM(count) AS n, MIN(received_at) AS oldest FROM segments WHERE batch_id IS NULL GROUP BY target, group_key',
      ),
      openGroup: p('SELECT SUM(count) AS n, MIN(received_at) AS oldest FROM segments WHERE batch_id IS NULL AND target = ? AND group_key = ?'),
      // Sizes only: a batch is put together without reading the notifications it claims whole.
      openSegments: p('SELECT id, received_at, count, length(notifications) AS bytes, request, origin FROM segments WHERE batch_id IS NULL AND target = ? AND group_key = ? ORDER BY id LIMIT ?'),
      segmentText: p('SELECT notifications FROM segments WHERE id = ?'),
      beginSend: p('UPDATE batches SET starts = starts + 1 WHERE id = ?'),
      assign: p('UPDATE segments SET batch_id = ? WHERE id = ?'),
      shrink: p('UPDATE segments SET count = ?, notifications = ? WHERE id = ?'),
      insertBatch: p(
        "INSERT INTO batches (target, group_key, state, created_at, first_received_at, next_attempt_at, count) VALUES (?, ?, 'pending', ?, ?, ?, ?)",
      ),
      // Each target is a FIFO queue: only its oldest pending batch may be sent, so a retried
      // batch is never overtaken (a resolved notification never arrives before its firing one).
      head: p("SELECT * FROM batches WHERE state = 'pending' AND target = ? ORDER BY id LIMIT 1"),
      queued: p("SELECT DISTINCT target FROM batches WHERE state = 'pending'"),
      batchSegments: p('SELECT id, notifications, request, origin, part FROM segments WHERE batch_id = ? ORDER BY id'),
      logEntry: p('SELECT firing, resolved, sent_at FROM nflog WHERE target = ? AND group_key = ?'),
      setLog: p(
        'INSERT INTO nflog (target, group_key, firing, resolved, sent_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (target, group_key) DO UPDATE SET firing = excluded.firing, resolved = excluded.resolved, sent_at = excluded.sent_at',
      ),
      pruneLog: p('DELETE FROM nflog WHERE sent_at < ?'),
      finish: p('UPDATE batches SET state = ?, attempts = ?, last_error = ? WHERE id = ?'),
      retry: p('UPDATE batches SET attempts = ?, next_attempt_at = ?, last_error = ?, progress = ? WHERE id = ?'),
      history: p(
        'INSERT INTO history (at, target, group_key, outcome, attempts, notifications, fingerprints, answer) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      failureHistory: p(
        'INSERT INTO history (at, target, group_key, outcome, attempts, notifications, fingerprints, answer, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      deleteBatchSegments: p('DELETE FROM segments WHERE batch_id = ?'),
      depth: p(
        "SELECT (SELECT COALESCE(SUM(count), 0) FROM inbox) AS inbox, (SELECT COALESCE(SUM(count), 0) FROM segments) AS pending, (SELECT COUNT(*) FROM batches WHERE state = 'pending') AS batches",
      ),
      health: p('SELECT * FROM target_health'),
      healthOk: p(
        'INSERT INTO target_health (target, delivered, last_ok) VALUES (?, ?, ?) ON CONFLICT (target) DO UPDATE SET delivered = delivered + excluded.delivered, last_ok = excluded.last_ok',
      ),
      healthBad: p(
        'INSERT INTO target_health (target, failed, last_bad, last_error) VALUES (?, ?, ?, ?) ON CONFLICT (target) DO UPDATE SET failed = failed + excluded.failed, last_bad = excluded.last_bad, last_error = excluded.last_error',
      ),
      pendingByTarget: p("SELECT target, SUM(count) AS n FROM batches WHERE state = 'pending' GROUP BY target"),
      pruneBatches: p("DELETE FROM batches WHERE state <> 'pending' AND created_at < ?"),
      pruneHistory: p('DELETE FROM history WHERE at < ?'),
    };
  }

  /**
   * Runs a write transaction that takes the write lock at BEGIN (IMMEDIATE). A deferred one that
   * upgrades later can fail with SQLITE_BUSY at once, without the busy timeout, when the other
   * thread writes: a delivered batch could then not be recorded, and would be sent again.
   */
  private write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** Records one accepted request; returns its id once it is committed. */
  accept(source: string, body: string, count: number, now: number): number {
    return num(this.s.accept.run(now, source, body, count).lastInsertRowid);
  }

  inbox(limit: number): InboxRow[] {
    return (this.s.inbox.all(limit) as Row[]).map((r) => ({
      id: num(r['id']),
      receivedAt: num(r['received_at']),
      source: String(r['source']),
      body: String(r['body']),
      count: num(r['count']),
      attempts: num(r['attempts']),
      lastError: typeof r['last_error'] === 'string' ? r['last_error'] : undefined,
    }));
  }

  /**
   * Counts a routing attempt of the inbox rows with ids from `first` to `last` (the rows of one
   * chunk), committed before the attempt runs: a row that kills the pipeline thread is seen again
   * with its count raised, and can be set aside once it has had enough tries.
   */
  beginAttempt(first: number, last: number): void {
    this.write(() => this.s.attempt.run(first, last));
  }

  /** Moves an inbox row to the dead letters, with the reason. */
  bury(id: number, reason: string, now: number): void {
    this.write(() => {
      this.s.bury.run(now, reason, id);
      this.s.deleteInbox.run(id);
    });
  }

  deadLetters(limit: number): DeadLetter[] {
    return (this.s.deadLetters.all(limit) as Row[]).map((r) => ({
      id: num(r['id']),
      receivedAt: num(r['received_at']),
      deadAt: num(r['dead_at']),
      source: String(r['source']),
      count: num(r['count']),
      attempts: num(r['attempts']),
      reason: String(r['reason']),
      bytes: num(r['bytes']),
    }));
  }

  deadLetterBody(id: number): string | undefined {
    const r = this.s.deadLetterBody.get(id) as Row | undefined;
    return r ? String(r['body']) : undefined;
  }

  deadLetterCount(): number {
    return num((this.s.deadLetterCount.get() as Row)['n']);
  }

  /** Puts a dead letter back at the end of the inbox, its attempts forgotten; its new inbox id, or undefined when there is none. */
  requeue(id: number): number | undefined {
    return this.write(() => {
      const made = this.s.requeue.run(id);
      if (made.changes === 0) return undefined;
      this.s.dropDeadLetter.run(id);
      return num(made.lastInsertRowid);
    });
  }

  /** Discards a dead letter for good; false when there is none. */
  dropDeadLetter(id: number): boolean {
    return this.s.dropDeadLetter.run(id).changes > 0;
  }

  /**
   * Replaces inbox rows by their routed segments, all at once; rows whose routing threw keep their
   * place (and their counted attempt) with the error.
   */
  readonly routed = (rows: { inboxId: number; segments: SegmentInsert[] }[], failed: { id: number; error: string }[] = []): void => {
    this.write(() => {
      for (const row of rows) {
        for (const g of row.segments) this.s.insertSegment.run(g.target, g.groupKey, g.receivedAt, g.count, g.notifications, null, g.request, g.origin ?? null, 0);
        this.s.deleteInbox.run(row.inboxId);
      }
      for (const f of failed) this.s.attemptFailed.run(f.error, f.id);
    });
  };

  openGroups(): OpenGroup[] {
    return (this.s.openGroups.all() as Row[]).map((r) => ({
      target: String(r['target']),
      groupKey: String(r['group_key']),
      count: num(r['n']),
      oldest: num(r['oldest']),
    }));
  }

  openGroup(target: string, groupKey: string): { count: number; oldest: number } | undefined {
    const r = this.s.openGroup.get(target, groupKey) as Row;
    const count = num(r['n']);
    return count === 0 ? undefined : { count, oldest: num(r['oldest']) };
  }

  /**
   * Closes up to `maxSize` notifications (and about `maxBytes` of them) of an open group into a
   * batch, oldest first. Whole segments are claimed as they are; only one that does not fit is
   * split, and a batch has at least one notification. Returns the batch id, or undefined when the
   * group is empty.
   */
  closeGroup(args: { target: string; groupKey: string; maxSize: number; maxBytes: number; now: number }): number | undefined {
    const { target, groupKey, maxSize, now } = args;
    return this.write(() => {
      const rows = (this.s.openSegments.all(target, groupKey, maxSize) as Row[]).map((r) => ({
        id: num(r['id']),
        receivedAt: num(r['received_at']),
        count: num(r['count']),
        bytes: num(r['bytes']),
        request: r['request'] ?? null,
        origin: r['origin'] ?? null,
      }));
      if (rows.length === 0) return undefined;
      const claim: number[] = [];
      let taken = 0;
      let bytes = 0;
      let split: { id: number; receivedAt: number; request: unknown; origin: unknown; head: unknown[]; tail: unknown[] } | undefined;
      for (const r of rows) {
        const room = maxSize - taken;
        if (room === 0) break;
        if (r.count <= room && bytes + r.bytes <= args.maxBytes) {
          claim.push(r.id);
          taken += r.count;
          bytes += r.bytes;
          continue;
        }
        const n = partOf(r, { room, byteRoom: args.maxBytes - bytes, first: taken === 0 });
        if (n === 0) break;
        if (n >= r.count) {
          // One notification larger than the batch's bytes: it goes alone.
          claim.push(r.id);
          taken += r.count;
          break;
        }
        const all = JSON.parse(String((this.s.segmentText.get(r.id) as Row)['notifications'])) as unknown[];
        split = { id: r.id, receivedAt: r.receivedAt, request: r.request, origin: r.origin, head: all.slice(0, n), tail: all.slice(n) };
        taken += n;
        break;
      }
      const first = Math.min(...rows.map((r) => r.receivedAt));
      const batchId = num(this.s.insertBatch.run(target, groupKey, now, first, now, taken).lastInsertRowid);
      for (const id of claim) this.s.assign.run(batchId, id);
      if (split) {
        // The head is a leading part (part = 1); the row left behind stays the request's last part.
        this.s.insertSegment.run(target, groupKey, split.receivedAt, split.head.length, JSON.stringify(split.head), batchId, split.request, split.origin, 1);
        this.s.shrink.run(split.tail.length, JSON.stringify(split.tail), split.id);
      }
      return batchId;
    });
  }

  /** Counts a send attempt of a batch, committed before it starts (see Batch.starts). */
  beginSend(batch: Batch): void {
    this.write(() => this.s.beginSend.run(batch.id));
  }

  /** The oldest pending batch of a target: the only one of its queue that may be sent. */
  head(target: string): Batch | undefined {
    const r = this.s.head.get(target) as Row | undefined;
    return r ? toBatch(r) : undefined;
  }

  /** Targets with pending batches (at start; afterwards the deliverer keeps track). */
  queuedTargets(): string[] {
    return (this.s.queued.all() as Row[]).map((r) => String(r['target']));
  }

  /** The segments of a batch, in order, as stored (notifications as JSON arrays). */
  batchSegments(batchId: number): BatchSegment[] {
    return (this.s.batchSegments.all(batchId) as Row[]).map((r) => ({
      // Segments stored before requests were recorded count as a request each.
      request: typeof r['request'] === 'string' ? r['request'] : `segment ${num(r['id'])}`,
      final: num(r['part']) === 0,
      origin: typeof r['origin'] === 'string' ? r['origin'] : undefined,
      notifications: String(r['notifications']),
    }));
  }

  /** What the receiver of `target` was last told about a group (the notification log). */
  logEntry(target: string, groupKey: string): LogEntry | undefined {
    const r = this.s.logEntry.get(target, groupKey) as Row | undefined;
    return r ? decodeEntry({ firing: String(r['firing']), resolved: String(r['resolved']), sentAt: num(r['sent_at']) }) : undefined;
  }

  /**
   * Marks a batch delivered: history recorded, its segments gone and the notification log set to
   * what the receiver now knows, in one transaction.
   */
  delivered(batch: Batch, result: { answer: string; fingerprints: string[]; now: number; log?: LogEntry }): void {
    const log = result.log ? encodeEntry(result.log) : undefined;
    this.write(() => {
      if (log) this.s.setLog.run(batch.target, batch.groupKey, log.firing, log.resolved, result.now);
      this.s.finish.run('delivered', batch.attempts + 1, null, batch.id);
      this.s.history.run(result.now, batch.target, batch.groupKey, 'delivered', batch.attempts + 1, result.fingerprints.length, JSON.stringify(result.fingerprints), result.answer);
      this.s.healthOk.run(batch.target, result.fingerprints.length, result.now);
      this.s.deleteBatchSegments.run(batch.id);
    });
  }

  /** Finishes a batch the notification log says not to send: recorded in history with the reason. */
  suppressed(batch: Batch, result: { reason: string; fingerprints: string[]; now: number }): void {
    this.write(() => {
      this.s.finish.run('delivered', batch.attempts, null, batch.id);
      this.s.history.run(result.now, batch.target, batch.groupKey, 'suppressed', batch.attempts, result.fingerprints.length, JSON.stringify(result.fingerprints), result.reason);
      this.s.deleteBatchSegments.run(batch.id);
    });
  }

  /** Schedules another attempt and records this one in history. */
  retry(batch: Batch, result: { error: string; reason: FailureReason; fingerprints: string[]; nextAttemptAt: number; now: number; progress?: Record<string, string> }): void {
    const progress = result.progress && Object.keys(result.progress).length > 0 ? JSON.stringify(result.progress) : null;
    this.write(() => {
      this.s.retry.run(batch.attempts + 1, result.nextAttemptAt, result.error, progress, batch.id);
      this.s.failureHistory.run(result.now, batch.target, batch.groupKey, 'retrying', batch.attempts + 1, result.fingerprints.length, JSON.stringify(result.fingerprints), result.error, result.reason);
      // A failed attempt is the latest failure; only a batch given up on counts as failed.
      this.s.healthBad.run(batch.target, 0, result.now, result.error);
    });
  }

  /** Gives up on a batch: recorded in history with the reason, its segments gone. */
  failed(batch: Batch, result: { error: string; reason: FailureReason; fingerprints: string[]; now: number }): void {
    // Without fingerprints (a batch that could not be read) the batch's own count is what failed.
    const count = result.fingerprints.length || batch.count;
    this.write(() => {
      this.s.finish.run('failed', batch.attempts + 1, result.error, batch.id);
      this.s.failureHistory.run(result.now, batch.target, batch.groupKey, 'failed', batch.attempts + 1, count, JSON.stringify(result.fingerprints), result.error, result.reason);
      this.s.healthBad.run(batch.target, count, result.now, result.error);
      this.s.deleteBatchSegments.run(batch.id);
    });
  }

  history(q: HistoryQuery): HistoryEntry[] {
    const filters: [string, unknown][] = [];
    if (q.target) filters.push(['target = ?', q.target]);
    if (q.receiver) filters.push(['target LIKE ?', `${q.receiver}/%`]);
    if (q.channel) filters.push(['target LIKE ?', `%/${q.channel}`]);
    if (q.outcome) filters.push(['outcome = ?', q.outcome]);
    if (q.since !== undefined) filters.push(['at >= ?', q.since]);
    if (q.before !== undefined) filters.push(['id < ?', q.before]);
    const where = filters.map(([sql]) => sql);
    const args = filters.map(([, value]) => value);
    const sql = `SELECT * FROM history ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return (this.db.prepare<unknown[]>(sql).all(...args, q.limit) as Row[]).map((r) => ({
      id: num(r['id']),
      at: num(r['at']),
      target: String(r['target']),
      groupKey: String(r['group_key']),
      outcome: String(r['outcome']) as HistoryEntry['outcome'],
      attempts: num(r['attempts']),
      notifications: num(r['notifications']),
      fingerprints: JSON.parse(String(r['fingerprints'])) as string[],
      answer: String(r['answer']),
      ...reasonOf(r['reason']),
    }));
  }

  depth(): Depth {
    const r = this.s.depth.get() as Row;
    return { inbox: num(r['inbox']), pending: num(r['pending']), batches: num(r['batches']) };
  }

  /** Per target (`receiver/channel`): what was delivered, failed and is waiting, and the latest error (totals since the store began). */
  health(): Map<string, TargetHealth> {
    const out = new Map<string, TargetHealth>();
    for (const r of this.s.health.all() as Row[]) {
      const h: TargetHealth = { delivered: num(r['delivered']), failed: num(r['failed']), pending: 0 };
      if (r['last_ok'] !== null) h.lastSuccessAt = num(r['last_ok']);
      if (r['last_bad'] !== null) Object.assign(h, { lastFailureAt: num(r['last_bad']), lastError: typeof r['last_error'] === 'string' ? r['last_error'] : '' });
      out.set(String(r['target']), h);
    }
    for (const r of this.s.pendingByTarget.all() as Row[]) {
      const target = String(r['target']);
      const h = out.get(target) ?? { delivered: 0, failed: 0, pending: 0 };
      h.pending = num(r['n']);
      out.set(target, h);
    }
    return out;
  }

  /** Drops finished batches and history older than the retention. */
  prune(args: { now: number; retentionMs: number }): void {
    this.write(() => {
      this.s.pruneBatches.run(args.now - args.retentionMs);
      this.s.pruneHistory.run(args.now - args.retentionMs);
      this.s.pruneLog.run(args.now - args.retentionMs);
    });
  }
}
