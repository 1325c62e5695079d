/**
 * The durable part of inhibition: the active source alerts (so a restart keeps muting what was
 * muted) and the history entries of what was muted. Written in the same transaction as the
 * routing of the requests that changed them, so a crash keeps the two in step.
 */
import type { Statement } from 'better-sqlite3';
import type { Labels } from '../model/notification.js';
import type { Db } from './schema.js';

export interface StoredSource {
  fingerprint: string;
  labels: Labels;
  firstSeenAt: number;
  lastSeenAt: number;
}

/** Notifications of one request that an InhibitRule kept from one target, in one group. */
export interface InhibitedEntry {
  at: number;
  target: string;
  groupKey: string;
  rule: string;
  fingerprints: string[];
}

export interface InhibitChanges {
  upserts: StoredSource[];
  deletes: string[];
  inhibited: InhibitedEntry[];
}

type Row = Record<string, unknown>;

/** A stored label set, or undefined when the text is not a JSON object of strings. */
function labelsOf(text: unknown): Labels | undefined {
  try {
    const value: unknown = JSON.parse(String(text));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    return Object.values(value).every((v) => typeof v === 'string') ? (value as Labels) : undefined;
  } catch {
    return undefined;
  }
}

export class InhibitSourceStore {
  private readonly s;

  constructor(private readonly db: Db) {
    const p = (sql: string): Statement<unknown[]> => db.prepare<unknown[]>(sql);
    this.s = {
      all: p('SELECT fingerprint, labels, first_seen, last_seen FROM inhibit_sources ORDER BY last_seen, fingerprint'),
      upsert: p(
        'INSERT INTO inhibit_sources (fingerprint, labels, first_seen, last_seen) VALUES (?, ?, ?, ?) ON CONFLICT (fingerprint) DO UPDATE SET last_seen = excluded.last_seen',
      ),
      delete: p('DELETE FROM inhibit_sources WHERE fingerprint = ?'),
      // History of what inhibition kept from a target: no attempt was made, and the answer names the rule.
      history: p(
        "INSERT INTO history (at, target, group_key, outcome, attempts, notifications, fingerprints, answer) VALUES (?, ?, ?, 'inhibited', 0, ?, ?, ?)",
      ),
    };
  }

  /** Every stored source, least recently sent first; a row whose labels cannot be read is left out (the alert's next send restores it). */
  load(): StoredSource[] {
    return (this.s.all.all() as Row[]).flatMap((r) => {
      const labels = labelsOf(r['labels']);
      if (!labels) return [];
      return [{ fingerprint: String(r['fingerprint']), labels, firstSeenAt: Number(r['first_seen']), lastSeenAt: Number(r['last_seen']) }];
    });
  }

  /**
   * Writes the changes and runs `then` (the routing's own writes) in one IMMEDIATE transaction; a
   * nested transaction in `then` becomes a savepoint of this one.
   */
  save(changes: InhibitChanges, then: () => void): void {
    this.db
      .transaction(() => {
        for (const s of changes.upserts) this.s.upsert.run(s.fingerprint, JSON.stringify(s.labels), s.firstSeenAt, s.lastSeenAt);
        for (const fp of changes.deletes) this.s.delete.run(fp);
        for (const e of changes.inhibited) {
          this.s.history.run(e.at, e.target, e.groupKey, e.fingerprints.length, JSON.stringify(e.fingerprints), `inhibited by ${e.rule}`);
        }
        then();
      })
      .immediate();
  }
}
