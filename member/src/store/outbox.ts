/**
 * The durable outbox: every state an accepted notification passes through is a row here, and
 * every transition is one transaction, so a crash at any point loses nothing.
 *   inbox (raw accepted request) → pending (per target and group) → batch → delivered | failed
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './schema.js';

export interface InboxRow {
  id: number;
  receivedAt: number;
  source: string;
  body: string;
  count: number;
}

export interface PendingInsert {
  target: string;
  groupKey: string;
  dedupKey: string;
  receivedAt: number;
  notification: string;
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
}

export interface HistoryEntry {
  id: number;
  at: number;
  target: string;
  groupKey: string;
  outcome: 'delivered' | 'failed' | 'retrying';
  attempts: number;
  notifications: number;
  fingerprints: string[];
  answer: string;
}

export interface Depth {
  inbox: number;
  pending: number;
  batches: number;
}

export interface HistoryQuery {
  target?: string;
  /** Receiver name (Kubernetes names hold no LIKE wildcards). */
  receiver?: string;
  channel?: string;
  outcome?: string;
  since?: number;
  limit: number;
}

type Row = Record<string, unknown>;
const num = (v: unknown): number => Number(v);

export class Outbox {
  private readonly s;

  constructor(private readonly db: Db) {
    const p = (sql: string): Statement<unknown[]> => db.prepare<unknown[]>(sql);
    this.s = {
      accept: p('INSERT INTO inbox (received_at, source, body, count) VALUES (?, ?, ?, ?)'),
      inbox: p('SELECT id, received_at, source, body, count FROM inbox ORDER BY id LIMIT ?'),
      deleteInbox: p('DELETE FROM inbox WHERE id = ?'),
      insertPending: p('INSERT INTO pending (target, group_key, dedup_key, received_at, notification) VALUES (?, ?, ?, ?, ?)'),
      openGroups: p(
        'SELECT target, group_key, COUNT(*) AS n, MIN(received_at) AS oldest FROM pending WHERE batch_id IS NULL GROUP BY target, group_key',
      ),
      openGroup: p('SELECT COUNT(*) AS n, MIN(received_at) AS oldest FROM pending WHERE batch_id IS NULL AND target = ? AND group_key = ?'),
      openRows: p('SELECT id, dedup_key, received_at FROM pending WHERE batch_id IS NULL AND target = ? AND group_key = ? ORDER BY id LIMIT ?'),
      logged: p('SELECT delivered_at FROM nflog WHERE target = ? AND dedup_key = ?'),
      deletePending: p('DELETE FROM pending WHERE id = ?'),
      insertBatch: p(
        "INSERT INTO batches (target, group_key, state, created_at, first_received_at, next_attempt_at) VALUES (?, ?, 'pending', ?, ?, ?)",
      ),
      assign: p('UPDATE pending SET batch_id = ? WHERE id = ?'),
      // Each target is a FIFO queue: only its oldest pending batch may be sent, so a retried
      // batch is never overtaken (a resolved notification never arrives before its firing one).
      due: p(
        `SELECT b.* FROM batches b JOIN (SELECT target, MIN(id) AS head FROM batches WHERE state = 'pending' GROUP BY target) h ON b.id = h.head
         WHERE b.next_attempt_at <= ? ORDER BY b.next_attempt_at, b.id LIMIT ?`,
      ),
      nextDue: p(
        `SELECT MIN(b.next_attempt_at) AS at FROM batches b JOIN (SELECT MIN(id) AS head FROM batches WHERE state = 'pending' GROUP BY target) h ON b.id = h.head`,
      ),
      batchRows: p('SELECT dedup_key, notification FROM pending WHERE batch_id = ? ORDER BY id'),
      finish: p('UPDATE batches SET state = ?, attempts = ?, last_error = ? WHERE id = ?'),
      retry: p('UPDATE batches SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?'),
      history: p(
        'INSERT INTO history (at, target, group_key, outcome, attempts, notifications, fingerprints, answer) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      log: p('INSERT INTO nflog (target, dedup_key, delivered_at) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET delivered_at = excluded.delivered_at'),
      deleteBatchRows: p('DELETE FROM pending WHERE batch_id = ?'),
      depth: p(
        "SELECT (SELECT COALESCE(SUM(count), 0) FROM inbox) AS inbox, (SELECT COUNT(*) FROM pending) AS pending, (SELECT COUNT(*) FROM batches WHERE state = 'pending') AS batches",
      ),
      pruneBatches: p("DELETE FROM batches WHERE state <> 'pending' AND created_at < ?"),
      pruneHistory: p('DELETE FROM history WHERE at < ?'),
      pruneLog: p('DELETE FROM nflog WHERE delivered_at < ?'),
    };
  }

  /** Records one accepted request; returns once it is committed. */
  accept(source: string, body: string, count: number, now: number): void {
    this.s.accept.run(now, source, body, count);
  }

  inbox(limit: number): InboxRow[] {
    return (this.s.inbox.all(limit) as Row[]).map((r) => ({
      id: num(r['id']),
      receivedAt: num(r['received_at']),
      source: String(r['source']),
      body: String(r['body']),
      count: num(r['count']),
    }));
  }

  /** Replaces inbox rows by their routed pending rows, all at once. */
  readonly routed = (rows: { inboxId: number; pending: PendingInsert[] }[]): void => {
    this.db.transaction(() => {
      for (const row of rows) {
        for (const p of row.pending) this.s.insertPending.run(p.target, p.groupKey, p.dedupKey, p.receivedAt, p.notification);
        this.s.deleteInbox.run(row.inboxId);
      }
    })();
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
   * Closes up to `maxSize` open rows of a group into a batch. Rows the notification log shows
   * delivered to this target within `dedupWindowMs`, or repeated inside the batch, are dropped.
   * Returns the batch id and how many rows were suppressed, or undefined when nothing was left.
   */
  closeGroup(args: { target: string; groupKey: string; maxSize: number; dedupWindowMs: number; now: number }): { batchId?: number; suppressed: number } {
    const { target, groupKey, maxSize, dedupWindowMs, now } = args;
    return this.db.transaction(() => {
      const rows = this.s.openRows.all(target, groupKey, maxSize) as Row[];
      const seen = new Set<string>();
      const keep: Row[] = [];
      for (const r of rows) {
        const key = String(r['dedup_key']);
        const logged = this.s.logged.get(target, key) as Row | undefined;
        const recent = logged !== undefined && now - num(logged['delivered_at']) < dedupWindowMs;
        if (recent || seen.has(key)) this.s.deletePending.run(num(r['id']));
        else keep.push(r);
        seen.add(key);
      }
      const suppressed = rows.length - keep.length;
      if (keep.length === 0) return { suppressed };
      const first = Math.min(...keep.map((r) => num(r['received_at'])));
      const batchId = num(this.s.insertBatch.run(target, groupKey, now, first, now).lastInsertRowid);
      for (const r of keep) this.s.assign.run(batchId, num(r['id']));
      return { batchId, suppressed };
    })();
  }

  due(now: number, limit: number): Batch[] {
    return (this.s.due.all(now, limit) as Row[]).map((r) => ({
      id: num(r['id']),
      target: String(r['target']),
      groupKey: String(r['group_key']),
      attempts: num(r['attempts']),
      createdAt: num(r['created_at']),
      firstReceivedAt: num(r['first_received_at']),
      nextAttemptAt: num(r['next_attempt_at']),
    }));
  }

  nextDueAt(): number | undefined {
    const at = (this.s.nextDue.get() as Row)['at'];
    return at === null || at === undefined ? undefined : num(at);
  }

  /** The notifications of a batch, as stored (JSON), with their dedup keys. */
  batchRows(batchId: number): { dedupKey: string; notification: string }[] {
    return (this.s.batchRows.all(batchId) as Row[]).map((r) => ({ dedupKey: String(r['dedup_key']), notification: String(r['notification']) }));
  }

  /** Marks a batch delivered: history, notification log, and its rows gone, in one transaction. */
  delivered(batch: Batch, result: { answer: string; fingerprints: string[]; dedupKeys: string[]; now: number }): void {
    this.db.transaction(() => {
      this.s.finish.run('delivered', batch.attempts + 1, null, batch.id);
      this.s.history.run(result.now, batch.target, batch.groupKey, 'delivered', batch.attempts + 1, result.fingerprints.length, JSON.stringify(result.fingerprints), result.answer);
      for (const key of result.dedupKeys) this.s.log.run(batch.target, key, result.now);
      this.s.deleteBatchRows.run(batch.id);
    })();
  }

  /** Schedules another attempt and records this one in history. */
  retry(batch: Batch, result: { error: string; fingerprints: string[]; nextAttemptAt: number; now: number }): void {
    this.db.transaction(() => {
      this.s.retry.run(batch.attempts + 1, result.nextAttemptAt, result.error, batch.id);
      this.s.history.run(result.now, batch.target, batch.groupKey, 'retrying', batch.attempts + 1, result.fingerprints.length, JSON.stringify(result.fingerprints), result.error);
    })();
  }

  /** Gives up on a batch: recorded in history with the reason, its rows gone. */
  failed(batch: Batch, result: { error: string; fingerprints: string[]; now: number }): void {
    this.db.transaction(() => {
      this.s.finish.run('failed', batch.attempts + 1, result.error, batch.id);
      this.s.history.run(result.now, batch.target, batch.groupKey, 'failed', batch.attempts + 1, result.fingerprints.length, JSON.stringify(result.fingerprints), result.error);
      this.s.deleteBatchRows.run(batch.id);
    })();
  }

  history(q: HistoryQuery): HistoryEntry[] {
    const filters: [string, unknown][] = [];
    if (q.target) filters.push(['target = ?', q.target]);
    if (q.receiver) filters.push(['target LIKE ?', `${q.receiver}/%`]);
    if (q.channel) filters.push(['target LIKE ?', `%/${q.channel}`]);
    if (q.outcome) filters.push(['outcome = ?', q.outcome]);
    if (q.since !== undefined) filters.push(['at >= ?', q.since]);
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
    }));
  }

  depth(): Depth {
    const r = this.s.depth.get() as Row;
    return { inbox: num(r['inbox']), pending: num(r['pending']), batches: num(r['batches']) };
  }

  /** Drops finished batches and history older than the retention, and stale log entries. */
  prune(args: { now: number; retentionMs: number; dedupWindowMs: number }): void {
    this.db.transaction(() => {
      this.s.pruneBatches.run(args.now - args.retentionMs);
      this.s.pruneHistory.run(args.now - args.retentionMs);
      this.s.pruneLog.run(args.now - args.dedupWindowMs);
    })();
  }
}
