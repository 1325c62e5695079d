import { describe, expect, it } from 'vitest';
import { InhibitSourceStore } from './inhibit-sources.js';
import { Outbox } from './outbox.js';
import { openDb } from './schema.js';

describe('InhibitSourceStore', () => {
  it('keeps sources (a resend moves only the last-sent time), deletes resolved ones, and writes inhibited history', () => {
    const db = openDb({ path: ':memory:' });
    const store = new InhibitSourceStore(db);
    const noop = (): void => undefined;
    store.save({ upserts: [{ fingerprint: 'a', labels: { alertname: 'NodeDown' }, firstSeenAt: 1, lastSeenAt: 1 }, { fingerprint: 'b', labels: { alertname: 'NodeDown', node: 'n2' }, firstSeenAt: 2, lastSeenAt: 2 }], deletes: [], inhibited: [] }, noop);
    store.save({ upserts: [{ fingerprint: 'a', labels: { alertname: 'NodeDown' }, firstSeenAt: 5, lastSeenAt: 5 }], deletes: ['b'], inhibited: [{ at: 5, target: 'ops/webhook', groupKey: '["PodNotReady"]', rule: 'node-down', fingerprints: ['p1', 'p2'] }] }, noop);
    expect(store.load()).toEqual([{ fingerprint: 'a', labels: { alertname: 'NodeDown' }, firstSeenAt: 1, lastSeenAt: 5 }]);
    expect(new Outbox(db).history({ outcome: 'inhibited', limit: 5 })).toEqual([
      { id: 1, at: 5, target: 'ops/webhook', groupKey: '["PodNotReady"]', outcome: 'inhibited', attempts: 0, notifications: 2, fingerprints: ['p1', 'p2'], answer: 'inhibited by node-down' },
    ]);
    // Inhibited is neither delivered nor failed.
    expect(new Outbox(db).health().size).toBe(0);
  });

  it('leaves out a row it cannot read instead of failing the pipeline thread', () => {
    const db = openDb({ path: ':memory:' });
    db.prepare("INSERT INTO inhibit_sources VALUES ('bad', 'not json', 1, 1), ('list', '[1]', 1, 2), ('ok', '{\"a\":\"b\"}', 1, 3)").run();
    expect(new InhibitSourceStore(db).load().map((s) => s.fingerprint)).toEqual(['ok']);
  });
});

describe('Outbox.history', () => {
  it('pages newest first: `before` continues below the last id seen', () => {
    const db = openDb({ path: ':memory:' });
    const store = new InhibitSourceStore(db);
    const inhibited = [1, 2, 3, 4, 5].map((at) => ({ at, target: 'ops/webhook', groupKey: `g${at}`, rule: 'r', fingerprints: ['f'] }));
    store.save({ upserts: [], deletes: [], inhibited }, () => undefined);
    const outbox = new Outbox(db);
    const first = outbox.history({ limit: 2 });
    expect(first.map((e) => e.groupKey)).toEqual(['g5', 'g4']);
    const second = outbox.history({ limit: 2, before: first[1]?.id });
    expect(second.map((e) => e.groupKey)).toEqual(['g3', 'g2']);
    expect(outbox.history({ limit: 2, before: second[1]?.id }).map((e) => e.groupKey)).toEqual(['g1']);
  });
});
