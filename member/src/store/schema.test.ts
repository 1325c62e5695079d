import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Outbox } from './outbox.js';
import { openDb } from './schema.js';

describe('openDb', () => {
  it('fills the delivery totals of a store that predates them from its history, once', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'herald-schema-')), 'db');
    const old = openDb({ path });
    const row = old.prepare('INSERT INTO history (at, target, group_key, outcome, attempts, notifications, fingerprints, answer) VALUES (?, ?, ?, ?, 1, ?, ?, ?)');
    row.run(1000, 'ops/webhook', 'g', 'delivered', 3, '[]', 'HTTP 200');
    row.run(2000, 'ops/webhook', 'g', 'retrying', 2, '[]', 'HTTP 503 busy');
    row.run(3000, 'ops/webhook', 'g', 'failed', 2, '[]', 'HTTP 400 bad');
    // As a store written before the table existed.
    old.exec('DROP TABLE target_health');
    old.close();
    const health = new Outbox(openDb({ path })).health().get('ops/webhook');
    expect(health).toEqual({ delivered: 3, failed: 2, pending: 0, lastSuccessAt: 1000, lastFailureAt: 3000, lastError: 'HTTP 400 bad' });
    // Opening again does not count the history twice.
    expect(new Outbox(openDb({ path })).health().get('ops/webhook')?.delivered).toBe(3);
  });
});
