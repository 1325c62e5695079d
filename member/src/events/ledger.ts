/**
 * What the Events watch has already turned into notifications, by event uid and count, kept in
 * the agent's SQLite store. A notification and the ledger entry that says it was made are written
 * in one transaction, so neither a relist nor an agent restart repeats it, and a crash before the
 * commit loses nothing (the next list finds the event again with a count the ledger lacks).
 */
import type { Statement } from 'better-sqlite3';
import type { Notification } from '../model/notification.js';
import type { Outbox } from '../store/outbox.js';
import type { Db } from '../store/schema.js';

const DDL = `
CREATE TABLE IF NOT EXISTS kube_events (
  uid TEXT PRIMARY KEY,
  scope TEXT NOT NULL,
  count INTEGER NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS kube_events_scope ON kube_events (scope);
-- A scope (a namespace, or "" for all) whose existing events were taken as already known.
CREATE TABLE IF NOT EXISTS kube_event_scopes (
  scope TEXT PRIMARY KEY,
  at INTEGER NOT NULL
);
`;

export interface Seen {
  uid: string;
  scope: string;
  count: number;
}

export class EventLedger {
  private readonly s;

  constructor(
    private readonly db: Db,
    private readonly outbox: Outbox,
  ) {
    db.exec(DDL);
    const p = (sql: string): Statement<unknown[]> => db.prepare<unknown[]>(sql);
    this.s = {
      seen: p('SELECT count FROM kube_events WHERE uid = ?'),
      record: p(
        'INSERT INTO kube_events (uid, scope, count, at) VALUES (?, ?, ?, ?) ON CONFLICT (uid) DO UPDATE SET count = MAX(count, excluded.count), at = excluded.at',
      ),
      forget: p('DELETE FROM kube_events WHERE uid = ?'),
      inScope: p('SELECT uid FROM kube_events WHERE scope = ?'),
      scope: p('SELECT 1 FROM kube_event_scopes WHERE scope = ?'),
      baseline: p('INSERT OR IGNORE INTO kube_event_scopes (scope, at) VALUES (?, ?)'),
    };
  }

  /** The highest count of the event already handled, or undefined if it is new. */
  seen(uid: string): number | undefined {
    const r = this.s.seen.get(uid) as { count: number } | undefined;
    return r?.count;
  }

  hasBaseline(scope: string): boolean {
    return this.s.scope.get(scope) !== undefined;
  }

  /**
   * The first time a scope is listed, its existing events are taken as known without notifying:
   * installing the agent does not replay the last hour of the cluster's events.
   */
  baseline(scope: string, events: Omit<Seen, 'scope'>[], now: number): void {
    this.db
      .transaction(() => {
        for (const e of events) this.s.record.run(e.uid, scope, e.count, now);
        this.s.baseline.run(scope, now);
      })
      .immediate();
  }

  /** Stores the notifications (one inbox row) and marks the events handled, in one transaction. */
  commit(args: { notifications: Notification[]; seen: Seen[]; now: number }): number | undefined {
    const { notifications, seen, now } = args;
    return this.db
      .transaction(() => {
        const id = notifications.length > 0 ? this.outbox.accept('event', JSON.stringify(notifications), notifications.length, now) : undefined;
        for (const e of seen) this.s.record.run(e.uid, e.scope, e.count, now);
        return id;
      })
      .immediate();
  }

  /** Drops what is known of events that are gone (deleted, or absent from a fresh list of their scope). */
  forget(uids: Iterable<string>): void {
    this.db.transaction(() => {
      for (const uid of uids) this.s.forget.run(uid);
    })();
  }

  /** The uids known in a scope, to find those a fresh list no longer holds. */
  known(scope: string): string[] {
    return (this.s.inScope.all(scope) as { uid: string }[]).map((r) => r.uid);
  }
}
