import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildSnapshot } from '../config/snapshot.js';
import { createMetrics } from '../metrics.js';
import { DeliveryError, type Notifier, type SendContext } from '../notify/notifier.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { config, receiver } from '../../../test/support/objects.js';
import { Outbox } from '../store/outbox.js';
import { openDb } from '../store/schema.js';
import { buildApp } from './app.js';
import { testAuth } from '../../../test/support/auth.js';

const AUTH = testAuth();
const INGEST = AUTH.headers('ingest');
const ADMIN = AUTH.headers('admin');

class Sink implements Notifier {
  readonly channel = 'webhook' as const;
  fingerprints: string[] = [];
  failWith: DeliveryError | undefined;
  send(ctx: SendContext): Promise<{ answer: string; messages: number }> {
    if (this.failWith) return Promise.reject(this.failWith);
    this.fingerprints.push(...ctx.data.alerts.map((a) => a.fingerprint));
    return Promise.resolve({ answer: 'HTTP 200 {"ok":true}', messages: 1 });
  }
}

const SECRET = 'hunter2-very-secret';
const snapshot = buildSnapshot({
  settings: { apiVersion: 'herald.dev/v1alpha1', kind: 'Settings', metadata: { name: 'default' }, spec: { batchMaxWait: '0s', groupLabels: ['alertname'] } },
  receivers: [receiver('sink', { type: 'global' }, { webhook: { url: 'http://sink.invalid/', httpConfig: { bearerToken: { value: SECRET } } } })],
  configs: [config('slack', { type: 'default' }, { slack: { slackTokenSecret: { value: SECRET } } })],
});

let apps: { app: FastifyInstance; pipeline: Pipeline }[] = [];
afterEach(async () => {
  for (const { app, pipeline } of apps) {
    await app.close();
    await pipeline.stop();
  }
  apps = [];
});

function setup(opts: { bodyLimit?: number } = {}) {
  const outbox = new Outbox(openDb({ path: ':memory:' }));
  const sink = new Sink();
  const metrics = createMetrics({ defaultMetrics: false });
  const renderer = () => ({ render: () => 'text' });
  const pipeline = new Pipeline({ outbox, snapshot: () => snapshot, notifiers: { webhook: sink }, renderer, metrics });
  const app = buildApp({ outbox, snapshot: () => snapshot, notifiers: { webhook: sink }, renderer, metrics, onAccepted: () => pipeline.accepted(), depth: () => pipeline.depth(), now: () => Date.now(), logLevel: 'silent', auth: AUTH.auth, namespace: 'herald-system', ...opts });
  apps.push({ app, pipeline });
  pipeline.start();
  return { app, outbox, sink, pipeline, metrics };
}

const alerts = (n: number, prefix = 'A'): string =>
  JSON.stringify({ version: '4', status: 'firing', receiver: 'herald', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: '', alerts: Array.from({ length: n }, (_, i) => ({ status: 'firing', labels: { alertname: `${prefix}${i}` }, annotations: {}, startsAt: '2026-11-21T12:00:00Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: 'x' })) });
const post = (app: FastifyInstance, payload: string, headers: Record<string, string> = INGEST) =>
  app.inject({ method: 'POST', url: '/api/v2/alerts', payload, headers });

describe('POST /api/v2/alerts', () => {
  it('accepts an Alertmanager v4 body, stores it before answering, and says how many', async () => {
    const { app, outbox } = setup();
    const res = await post(app, alerts(3));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 200, message: 'accepted 3 alerts' });
    const d = outbox.depth();
    expect(d.inbox + d.pending + d.batches + outbox.history({ limit: 10 }).length).toBeGreaterThan(0);
  });

  it.each<[string, string, Record<string, string>, number, string]>([
    ['malformed JSON', '{"alerts": [', INGEST, 400, 'malformed JSON'],
    ['an empty body', '', INGEST, 400, 'request body is empty'],
    ['the wrong content type', 'alerts=1', { ...INGEST, 'content-type': 'application/x-www-form-urlencoded' }, 415, 'Content-Type must be application/json'],
    ['no alerts', JSON.stringify({ version: '4' }), INGEST, 400, "body must have required property 'alerts'"],
    ['an empty alerts list', JSON.stringify({ alerts: [] }), INGEST, 400, 'body/alerts must NOT have fewer than 1 items'],
    ['labels of the wrong type', JSON.stringify({ alerts: [{ labels: 'x' }] }), INGEST, 400, 'body/alerts/0/labels must be object'],
    ['a label value that is not a string', JSON.stringify({ alerts: [{ labels: { a: 1 } }] }), INGEST, 400, 'body/alerts/0/labels/a must be string'],
    ['an unknown status', JSON.stringify({ alerts: [{ labels: {}, status: 'burning' }] }), INGEST, 400, 'body/alerts/0/status'],
    ['plain text', 'hello', { ...INGEST, 'content-type': 'text/plain' }, 415, 'Content-Type must be application/json'],
    ['JSON nested deeper than 32 levels', `{"alerts":[{"labels":{}}],"x":${'['.repeat(40)}${']'.repeat(40)}}`, INGEST, 400, 'JSON is nested deeper than 32 levels'],
    ['a top-level array', '[]', INGEST, 400, 'body must be object'],
    ['prototype poisoning', '{"alerts":[{"labels":{}}],"__proto__":{"polluted":"yes"}}', INGEST, 400, 'forbidden prototype property'],
  ])('rejects %s with a 4xx that says so', async (_name, payload, headers, status, message) => {
    const { app, outbox, metrics } = setup();
    const res = await post(app, payload, headers);
    expect(res.statusCode).toBe(status);
    expect(res.json<{ message: string }>().message).toContain(message);
    expect(outbox.depth()).toEqual({ inbox: 0, pending: 0, batches: 0 });
    expect((await metrics.rejected.get()).values.reduce((n, v) => n + v.value, 0)).toBe(1);
  });

  it('answers 413 to a body over the limit', async () => {
    const { app } = setup({ bodyLimit: 1024 });
    const res = await post(app, alerts(100));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ error: 'too_large' });
  });

  it('needs the ingest token: none, a wrong one or the admin one is refused; health stays open', async () => {
    const { app } = setup();
    expect((await post(app, alerts(1), { 'content-type': 'application/json' })).statusCode).toBe(401);
    expect((await post(app, alerts(1), { 'content-type': 'application/json', authorization: 'Bearer wrong-token-wrong-token' })).statusCode).toBe(401);
    expect((await post(app, alerts(1), AUTH.headers('admin'))).statusCode).toBe(403);
    expect((await post(app, alerts(1))).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});

describe('fuzz: hostile and malformed bodies', () => {
  it('answers every one of 1,200 with a 4xx, never crashes, and loses nothing accepted in between', async () => {
    const { app, sink, pipeline } = setup({ bodyLimit: 64 * 1024 });
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const valid = JSON.parse(alerts(2)) as Record<string, unknown>;
    const mutations: (() => string)[] = [
      () => JSON.stringify(valid).slice(0, Math.floor(rand() * 200)),
      () => JSON.stringify({ ...valid, alerts: [{ labels: { a: rand() } }] }),
      () => JSON.stringify({ ...valid, alerts: rand() < 0.5 ? null : 'x' }),
      () => JSON.stringify({ ...valid, alerts: [{ labels: { ['__proto__']: 'x' }, status: 7 }] }),
      () => `{"alerts":[{"labels":{"a":"${'\\u0000'.repeat(3)}"}},${'{'.repeat(500)}`,
      () => '[' .repeat(2000) + ']'.repeat(2000),
      () => JSON.stringify({ alerts: Array.from({ length: 3 }, () => ({ labels: {}, startsAt: { $gt: '' } })) }),
      () => JSON.stringify({ alerts: [{ labels: {}, annotations: ['x'] }] }),
      () => JSON.stringify({ alerts: [{ labels: { a: 'b' }, status: 'firing', truncated: true }], truncatedAlerts: -1 }),
      () => String.fromCharCode(...Array.from({ length: 50 }, () => Math.floor(rand() * 256))),
      () => JSON.stringify({ alerts: [{ labels: { a: 'x'.repeat(70_000) } }] }),
      () => 'null',
      () => '"just a string"',
      () => JSON.stringify({ alerts: [{}] }),
    ];
    let accepted = 0;
    for (let i = 0; i < 1200; i++) {
      const body = (mutations[i % mutations.length] as () => string)();
      const res = await post(app, body);
      expect(res.statusCode, body.slice(0, 80)).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, body.slice(0, 80)).toBeLessThan(500);
      expect(() => res.json<unknown>()).not.toThrow();
      if (i % 100 === 0) {
        // Real alerts keep flowing through the same agent meanwhile.
        expect((await post(app, alerts(1, `ok${i}-`))).statusCode).toBe(200);
        accepted++;
      }
    }
    const deadline = Date.now() + 5000;
    while (sink.fingerprints.length < accepted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(sink.fingerprints.length).toBe(accepted);
    expect(pipeline.depth()).toEqual({ inbox: 0, pending: 0, batches: 0 });
  });
});

describe('inline verify', () => {
  it('selects the inline config even when the cluster’s default-config selector is its own', async () => {
    const custom = buildSnapshot({
      settings: { apiVersion: 'herald.dev/v1alpha1', kind: 'Settings', metadata: { name: 'default' }, spec: { defaultConfigSelector: { matchLabels: { tier: 'org' } } } },
      configs: [config('org-smtp', { tier: 'org' }, { email: { from: 'org@example.com', smartHost: { host: 'smtp.org.example', port: 25 } } })],
    });
    const used: (string | undefined)[] = [];
    const email = { channel: 'email' as const, send: (ctx: SendContext) => (used.push(ctx.target.configName), Promise.resolve({ answer: '250 OK', messages: 1 })) };
    const app = buildApp({ outbox: new Outbox(openDb({ path: ':memory:' })), snapshot: () => custom, notifiers: { email }, renderer: () => ({ render: () => 'text' }), onAccepted: () => undefined, now: () => Date.now(), logLevel: 'silent', auth: AUTH.auth, namespace: 'herald-system' });
    const res = await app.inject({ method: 'POST', url: '/api/v2/verify', headers: ADMIN, payload: { receiver: { spec: { email: { to: ['me@example.com'] } } }, config: { spec: { email: { from: 'me@example.com', smartHost: { host: 'smtp.example', port: 25 } } } } } });
    expect(res.json()).toMatchObject({ ok: true });
    // The inline one, never the cluster's.
    expect(used).toEqual(['verify']);
    await app.close();
  });
});

describe('verify, history, metrics', () => {
  it('verify reports the channel’s real answer, success only when it accepted', async () => {
    const { app, sink } = setup();
    const ok = await app.inject({ method: 'POST', url: '/api/v2/verify', headers: ADMIN, payload: { receiver: 'sink' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ ok: true, results: [{ channel: 'webhook', ok: true, answer: 'HTTP 200 {"ok":true}' }] });
    sink.failWith = new DeliveryError('HTTP 403 {"error":"forbidden"}', { retryable: false, why: { kind: 'status', status: 403 } });
    const bad = await app.inject({ method: 'POST', url: '/api/v2/verify', headers: ADMIN, payload: { receiver: 'sink' } });
    expect(bad.statusCode).toBe(502);
    expect(bad.json()).toMatchObject({ ok: false, results: [{ channel: 'webhook', ok: false, error: 'HTTP 403 {"error":"forbidden"}' }] });
    expect((await app.inject({ method: 'POST', url: '/api/v2/verify', headers: ADMIN, payload: { receiver: 'nobody' } })).statusCode).toBe(404);
  });

  it('verify takes an inline receiver and rejects an invalid one naming the field', async () => {
    const { app } = setup();
    const ok = await app.inject({ method: 'POST', url: '/api/v2/verify', headers: ADMIN, payload: { receiver: { metadata: { name: 'adhoc' }, spec: { webhook: { url: 'http://x.invalid/' } } } } });
    expect(ok.json()).toMatchObject({ ok: true, receiver: 'adhoc' });
    const bad = await app.inject({ method: 'POST', url: '/api/v2/verify', headers: ADMIN, payload: { receiver: { spec: { email: { to: 'not-a-list' } } } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ message: string }>().message).toContain('receiver.spec.email.to');
  });

  it('history lists what was sent where with the answer; no secret appears in any answer or metric', async () => {
    const { app, sink } = setup();
    await post(app, alerts(2));
    const deadline = Date.now() + 5000;
    while (sink.fingerprints.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const history = await app.inject({ method: 'GET', url: '/api/v2/history?receiver=sink', headers: ADMIN });
    expect(history.json()).toMatchObject({ entries: [{ receiver: 'sink', channel: 'webhook', outcome: 'delivered', answer: 'HTTP 200 {"ok":true}' }, { receiver: 'sink' }] });
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('herald_notifications_delivered_total{receiver="sink",channel="webhook"} 2');
    expect(metrics.body).toContain('herald_queue_depth{stage="inbox"} 0');
    const verify = await app.inject({ method: 'POST', url: '/api/v2/verify', headers: ADMIN, payload: { receiver: 'sink' } });
    for (const body of [history.body, metrics.body, verify.body]) expect(body).not.toContain(SECRET);
  });
});
