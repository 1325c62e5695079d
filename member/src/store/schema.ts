/**
 * The agent's embedded store. WAL with synchronous=NORMAL survives a process crash (SIGKILL) with
 * every committed transaction intact; `durability: 'full'` also survives power loss, at a cost.
 */
import Database from 'better-sqlite3';

export type Db = Database.Database;

const DDL = `
CREATE TABLE IF NOT EXISTS inbox (
  id INTEGER PRIMARY KEY,
  received_at INTEGER NOT NULL,
  source TEXT NOT NULL,
  body TEXT NOT NULL,
  count INTEGER NOT NULL
);
-- A segment: the notifications of one request that go to one target in one group (a JSON array).
CREATE TABLE IF NOT EXISTS segments (
  id INTEGER PRIMARY KEY,
  target TEXT NOT NULL,
  group_key TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  count INTEGER NOT NULL,
  notifications TEXT NOT NULL,
  batch_id INTEGER
);
CREATE INDEX IF NOT EXISTS segments_open ON segments (target, group_key) WHERE batch_id IS NULL;
CREATE INDEX IF NOT EXISTS segments_batch ON segments (batch_id) WHERE batch_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS batches (
  id INTEGER PRIMARY KEY,
  target TEXT NOT NULL,
  group_key TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  first_received_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  count INTEGER NOT NULL,
  last_error TEXT
);
CREATE INDEX IF NOT EXISTS batches_queue ON batches (target, id) WHERE state = 'pending';
CREATE TABLE IF NOT EXISTS history (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  target TEXT NOT NULL,
  group_key TEXT NOT NULL,
  outcome TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  notifications INTEGER NOT NULL,
  fingerprints TEXT NOT NULL,
  answer TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS history_at ON history (at);
-- Firing Alertmanager alerts that matched an InhibitRule's source side: what mutes targets, kept
-- across restarts. A resolved alert's row goes; one not sent again for long expires (Settings.inhibition).
CREATE TABLE IF NOT EXISTS inhibit_sources (
  fingerprint TEXT PRIMARY KEY,
  labels TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL
);
-- Accepted requests the pipeline could not route after several attempts (a body that crashes or
-- fails normalization): kept, counted and listed, never silently dropped, and out of the way of
-- the rows behind them. An admin can put one back into the inbox. Ids are never reused, so an id
-- names one dead letter for good.
-- The notification log: per target and group, what the receiver was last told (see
-- pipeline/notification-log.ts), so a restart neither repeats nor forgets it.
CREATE TABLE IF NOT EXISTS nflog (
  target TEXT NOT NULL,
  group_key TEXT NOT NULL,
  firing TEXT NOT NULL,
  resolved TEXT NOT NULL,
  sent_at INTEGER NOT NULL,
  PRIMARY KEY (target, group_key)
);
CREATE TABLE IF NOT EXISTS dead_letters (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  received_at INTEGER NOT NULL,
  dead_at INTEGER NOT NULL,
  source TEXT NOT NULL,
  body TEXT NOT NULL,
  count INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  reason TEXT NOT NULL
);
`;

export interface OpenOptions {
  /** A file path, or ':memory:' for tests. */
  path: string;
  durability?: 'normal' | 'full';
  /**
   * Whether commits on this connection may checkpoint the WAL (default true). The ingest thread's
   * connection says false: a checkpoint inside its commit would stall HTTP for milliseconds, so the
   * pipeline thread's connection does them.
   */
  checkpoints?: boolean;
}

export function openDb({ path, durability = 'normal', checkpoints = true }: OpenOptions): Db {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('busy_timeout = 5000');
  // Bounded page cache (KiB) so memory stays flat however large the backlog grows.
  db.pragma('cache_size = -2048');
  if (!checkpoints) db.pragma('wal_autocheckpoint = 0');
  db.exec(DDL);
  migrate(db);
  return db;
}

/** Columns and tables added after a store could already exist (both threads may try; one wins). */
function migrate(db: Db): void {
  // What a half-done send already delivered (JSON: step → answer), so its retry skips it.
  addColumn(db, 'batches', 'progress', 'TEXT');
  // Routing attempts of an inbox row (counted before each attempt, so a crash counts too) and the last error.
  addColumn(db, 'inbox', 'attempts', 'INTEGER NOT NULL DEFAULT 0');
  addColumn(db, 'inbox', 'last_error', 'TEXT');
  // Send attempts of a batch begun (counted before each starts): more begun than recorded means the
  // pipeline thread died sending it.
  addColumn(db, 'batches', 'starts', 'INTEGER NOT NULL DEFAULT 0');
  // The request a segment came from, what Alertmanager said about it (JSON), and whether it is the
  // leading part of a request split over batches (see pipeline/notification-log.ts).
  addColumn(db, 'segments', 'request', 'TEXT');
  addColumn(db, 'segments', 'origin', 'TEXT');
  addColumn(db, 'segments', 'part', 'INTEGER NOT NULL DEFAULT 0');
  // Why a retrying or failed attempt failed (notify/failure-reason.ts); NULL for other outcomes.
  addColumn(db, 'history', 'reason', 'TEXT');
  db.transaction(() => addTargetHealth(db)).immediate();
}

function addColumn(db: Db, table: string, column: string, type: string): void {
  const columns = (db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name);
  if (columns.includes(column)) return;
  try {
    db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
  } catch (err) {
    if (!/duplicate column/i.test((err as Error).message)) throw err;
  }
}

/**
 * Delivery totals per target, kept as batches finish, so reading them (the agent's heartbeat and
 * Receiver status) costs a few rows instead of a scan of the history. A store that predates the
 * table gets it filled from its history once.
 */
function addTargetHealth(db: Db): void {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'target_health'").get();
  if (exists) return;
  db.exec(`CREATE TABLE target_health (
  target TEXT PRIMARY KEY,
  delivered INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  last_ok INTEGER,
  last_bad INTEGER,
  last_error TEXT
);
INSERT INTO target_health (target, delivered, failed, last_ok, last_bad, last_error)
  SELECT target,
    SUM(CASE WHEN outcome = 'delivered' THEN notifications ELSE 0 END),
    SUM(CASE WHEN outcome = 'failed' THEN notifications ELSE 0 END),
    MAX(CASE WHEN outcome = 'delivered' THEN at END),
    MAX(CASE WHEN outcome <> 'delivered' THEN at END),
    (SELECT answer FROM history h2 WHERE h2.target = history.target AND h2.outcome <> 'delivered' ORDER BY h2.id DESC LIMIT 1)
  FROM history GROUP BY target;`);
}
