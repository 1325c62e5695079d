/**
 * One request can neither stop delivery nor kill the agent (finding F5), on the real agent with
 * the Deployment's heap flags: bodies too deep or too big to parse are refused before parsing,
 * and a stored request the pipeline cannot route (one it crashes on, or one that fails) goes to
 * the dead letters after a few attempts, before and after a restart, without holding up the
 * requests behind it. A store that cannot be opened is one clear line, not a stack trace.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentExit, configDir, startAgent, type AgentProcess } from './agent-process.js';
import { startHttpServer, type TestHttpServer } from './http-server.js';
import { until } from '../support/eventually.js';

const API = 'herald.dev/v1alpha1';
/** What `heraldctl join` gives the agent's container. */
const DEPLOYMENT_ENV = { NODE_OPTIONS: '--max-old-space-size=64 --max-semi-space-size=1' };
const ARGS = ['--pipeline-heap-mb', '32'];

const alertBody = (name: string): string => JSON.stringify({ version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: name }, startsAt: '2026-11-21T12:00:00Z' }] });
/** 2 MB: a million nested arrays in a field Herald does not read. */
const NESTED = `{"version":"4","status":"firing","alerts":[{"labels":{"alertname":"nested"}}],"x":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`;
/** 3 MB: a million empty objects. */
const OBJECTS = `{"version":"4","status":"firing","alerts":[{"labels":{"alertname":"objects"}}],"x":[${Array(1_000_000).fill('{}').join(',')}]}`;

let sink: TestHttpServer;
let dir: string;
let dataDir: string;
let agent: AgentProcess | undefined;

const delivered = (): string[] =>
  sink.requests.flatMap((r) => (JSON.parse(r.body) as { alerts: { labels: { alertname: string } }[] }).alerts.map((a) => a.labels.alertname));
const wait = { ms: 60_000 };
const start = async (): Promise<AgentProcess> => {
  agent = await startAgent({ configDir: dir, dataDir, env: DEPLOYMENT_ENV, args: ARGS, tokens: TOKENS });
  return agent;
};
const TOKENS = { ingest: 'ingest-token-for-poison-tests', admin: 'admin-token-for-poison-tests' };
const post = (a: AgentProcess, body: string): Promise<Response> => fetch(`${a.url}/api/v2/alerts`, { method: 'POST', headers: a.headers('ingest'), body });
const deadLetters = async (a: AgentProcess): Promise<{ id: number; source: string; attempts: number; reason: string }[]> =>
  ((await (await fetch(`${a.url}/api/v2/dead-letters`, { headers: a.headers('admin') })).json()) as { entries: { id: number; source: string; attempts: number; reason: string }[] }).entries;

/** Puts rows straight into the stopped agent's inbox, as an older agent (or a bug) might have left them. */
function plant(rows: { body: string; count: number }[]): void {
  const db = new Database(join(dataDir, 'herald.db'));
  const insert = db.prepare("INSERT INTO inbox (received_at, source, body, count) VALUES (?, 'alertmanager', ?, ?)");
  for (const r of rows) insert.run(Date.now(), r.body, r.count);
  db.close();
}

beforeAll(async () => {
  sink = await startHttpServer({ handler: () => ({ status: 200, body: 'ok' }) });
  dir = configDir([
    { apiVersion: API, kind: 'Settings', metadata: { name: 'default' }, spec: { batchMaxWait: '0s', groupLabels: ['alertname'] } },
    { apiVersion: API, kind: 'Receiver', metadata: { name: 'sink', labels: { type: 'global' } }, spec: { webhook: { url: sink.origin } } },
  ]);
  dataDir = mkdtempSync(join(tmpdir(), 'herald-poison-'));
});

afterAll(async () => {
  await agent?.stop();
  await sink?.close();
});

describe('poison bodies', () => {
  it('are refused before parsing, and the next alert is delivered', async () => {
    const a = await start();
    const nested = await post(a, NESTED);
    expect(nested.status).toBe(400);
    expect(await nested.json()).toMatchObject({ error: 'too_deep', message: 'JSON is nested deeper than 32 levels' });
    const objects = await post(a, OBJECTS);
    expect(objects.status).toBe(413);
    expect(await objects.json()).toMatchObject({ error: 'too_many_values' });
    expect((await post(a, alertBody('after-poison'))).status).toBe(200);
    await until('after-poison', () => delivered().includes('after-poison'), wait);
    expect(delivered()).not.toContain('nested');
    expect(delivered()).not.toContain('objects');
  });

  it('stores only the fields Herald reads', async () => {
    const a = agent as AgentProcess;
    const extra = JSON.stringify({ version: '4', status: 'firing', alerts: [{ labels: { alertname: 'extra' }, startsAt: '2026-11-21T12:00:00Z', somethingElse: { deep: [1, 2, 3] } }], unknown: 'x'.repeat(1000) });
    expect((await post(a, extra)).status).toBe(200);
    await until('extra', () => delivered().includes('extra'), wait);
    const body = sink.requests.find((r) => r.body.includes('"extra"'))?.body ?? '';
    expect(body).not.toContain('somethingElse');
    expect(body).not.toContain('xxxxxxxxxx');
  });
});

describe('dead letters', () => {
  it('a stored request the pipeline dies on or cannot read goes to the dead letters; the one behind it is delivered', async () => {
    await agent?.stop();
    plant([
      { body: NESTED, count: 1 },
      { body: '{"alerts": this is not JSON', count: 1 },
      { body: alertBody('behind-the-poison'), count: 1 },
    ]);
    const a = await start();
    await until('behind-the-poison', () => delivered().includes('behind-the-poison'), wait);
    const dead = await deadLetters(a);
    expect(dead).toHaveLength(2);
    const byBody = [...dead].sort((x, y) => x.id - y.id);
    expect(byBody.map((d) => [d.source, d.attempts])).toEqual([['alertmanager', 3], ['alertmanager', 3]]);
    expect(byBody[0]?.reason).toContain('the pipeline thread stopped during each');
    expect(byBody[1]?.reason).toContain('alertmanager request could not be routed');
    expect(a.output()).toContain('pipeline worker exited; restarting it');
  });

  it('stay listed after a restart, which delivers at once, and are counted in /metrics', async () => {
    await agent?.stop();
    const a = await start();
    expect((await post(a, alertBody('after-restart'))).status).toBe(200);
    await until('after-restart', () => delivered().includes('after-restart'), wait);
    expect(await deadLetters(a)).toHaveLength(2);
    expect(await (await fetch(`${a.url}/metrics`)).text()).toMatch(/^herald_dead_letters 2$/m);
    expect(a.output()).not.toContain('pipeline worker exited');
  });

  it('can be read, put back into the inbox, or discarded, by an admin only', async () => {
    const a = agent as AgentProcess;
    const [first, second] = [...(await deadLetters(a))].sort((x, y) => x.id - y.id);
    expect((await fetch(`${a.url}/api/v2/dead-letters`, { headers: a.headers('ingest') })).status).toBe(403);
    expect((await fetch(`${a.url}/api/v2/dead-letters/${second?.id}`, { headers: a.headers('admin') })).status).toBe(200);
    expect(await (await fetch(`${a.url}/api/v2/dead-letters/${second?.id}`, { headers: a.headers('admin') })).text()).toBe('{"alerts": this is not JSON');
    const retry = await fetch(`${a.url}/api/v2/dead-letters/${second?.id}/retry`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.admin}` } });
    expect(retry.status).toBe(202);
    // Still unreadable: after its attempts it is back among the dead letters, under a new id.
    await until('the retried dead letter to come back', async () => (await deadLetters(a)).some((d) => d.id > (second?.id ?? 0)), wait);
    expect((await fetch(`${a.url}/api/v2/dead-letters/${first?.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKENS.admin}` } })).status).toBe(200);
    expect((await fetch(`${a.url}/api/v2/dead-letters/${first?.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKENS.admin}` } })).status).toBe(404);
    const left = await deadLetters(a);
    expect(left).toHaveLength(1);
    expect(left[0]?.reason).toContain('could not be routed');
  });
});

describe('batches too big for the pipeline thread', () => {
  it('a group of alerts with huge annotations goes out in batches that fit, and the alert after it too', async () => {
    const a = agent as AgentProcess;
    const big = (i: number): string =>
      JSON.stringify({
        version: '4',
        status: 'firing',
        alerts: [{ labels: { alertname: 'Big', i: String(i) }, annotations: Object.fromEntries(Array.from({ length: 8 }, (_, k) => [`a${k}`, `${k}`.repeat(64_000)])), startsAt: '2026-11-21T12:00:00Z' }],
      });
    // 100 requests of 512 KB in one group: 51 MB as one batch, more than the thread's 32 MB heap.
    for (let i = 0; i < 100; i++) expect((await post(a, big(i))).status).toBe(200);
    expect((await post(a, alertBody('after-the-big-group'))).status).toBe(200);
    await until('after-the-big-group', () => delivered().includes('after-the-big-group'), { ms: 120_000 });
    await until('all 100 big alerts', () => delivered().filter((n) => n === 'Big').length === 100, { ms: 120_000 });
    const bigBatches = sink.requests.filter((r) => r.body.includes('"Big"'));
    expect(bigBatches.length).toBeGreaterThan(1);
    expect(Math.max(...bigBatches.map((r) => r.body.length))).toBeLessThan(4 * 1024 * 1024);
  });

  it('a stored batch the thread dies on fails after a few attempts, with the reason in history, and the queue goes on', async () => {
    await agent?.stop();
    // One notification of 40 MB of annotation, planted as a pending batch, as a store from before the byte cap could hold it.
    const db = new Database(join(dataDir, 'herald.db'));
    const notification = { fingerprint: 'huge', status: 'firing', labels: { alertname: 'Huge' }, annotations: { a: 'y'.repeat(40_000_000) }, startsAt: '2026-11-21T12:00:00Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: '', source: 'alertmanager' };
    const batch = db.prepare("INSERT INTO batches (target, group_key, state, created_at, first_received_at, next_attempt_at, count) VALUES ('sink/webhook', 'huge', 'pending', ?, ?, 0, 1)").run(Date.now(), Date.now());
    db.prepare("INSERT INTO segments (target, group_key, received_at, count, notifications, batch_id) VALUES ('sink/webhook', 'huge', ?, 1, ?, ?)").run(Date.now(), JSON.stringify([notification]), batch.lastInsertRowid);
    db.close();
    const a = await startAgent({ configDir: dir, dataDir, env: DEPLOYMENT_ENV, args: ['--pipeline-heap-mb', '16'], tokens: TOKENS });
    agent = a;
    expect((await post(a, alertBody('after-the-huge-batch'))).status).toBe(200);
    await until('after-the-huge-batch', () => delivered().includes('after-the-huge-batch'), { ms: 120_000 });
    const failed = (await (await fetch(`${a.url}/api/v2/history?outcome=failed`, { headers: a.headers('admin') })).json()) as { entries: { receiver: string; answer: string; notifications: number }[] };
    expect(failed.entries[0]).toMatchObject({ receiver: 'sink', notifications: 1 });
    expect(failed.entries[0]?.answer).toContain('the pipeline thread stopped while sending this batch, 3 times');
    expect(delivered()).not.toContain('Huge');
    // Its own wait allows 120 s: vitest's 60 s default for wire tests cut it short on a loaded machine.
  }, 240_000);
});

describe('a store that cannot be opened', () => {
  it.each([
    ['is not a database', (d: string) => writeFileSync(join(d, 'herald.db'), 'this is not a database file, just text'.repeat(200)), 'is damaged or not a Herald store'],
    [
      'is truncated',
      (d: string) => {
        writeFileSync(join(d, 'herald.db'), Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(200, 7)]));
      },
      'is damaged or not a Herald store',
    ],
    // What a read-only data folder gives too (SQLITE_CANTOPEN); as root, permissions would not stop the test.
    ['cannot be opened as a file', (d: string) => mkdirSync(join(d, 'herald.db')), 'cannot open the store'],
  ])('exits with one line naming the path when it %s', async (_name, spoil, says) => {
    const d = mkdtempSync(join(tmpdir(), 'herald-bad-store-'));
    spoil(d);
    const { code, output } = await agentExit({ configDir: configDir([]), dataDir: d });
    expect(code).toBe(1);
    const lines = output.trim().split('\n').filter((l) => l.startsWith('herald-agent:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(join(d, 'herald.db'));
    expect(lines[0]).toContain(says);
    expect(output).not.toMatch(/\n\s+at /);
  });
});
