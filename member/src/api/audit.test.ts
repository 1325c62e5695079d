import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildSnapshot } from '../config/snapshot.js';
import type { Notifier, SendContext } from '../notify/notifier.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { receiver } from '../../../test/support/objects.js';
import { Outbox } from '../store/outbox.js';
import { openDb } from '../store/schema.js';
import { buildApp } from './app.js';
import { testAuth } from '../../../test/support/auth.js';
import { until } from '../../../test/support/eventually.js';

class Sink implements Notifier {
  readonly channel = 'webhook' as const;
  labels: Record<string, string>[] = [];
  send(ctx: SendContext): Promise<{ answer: string; messages: number }> {
    this.labels.push(...ctx.data.alerts.map((a) => a.labels));
    return Promise.resolve({ answer: 'HTTP 200', messages: 1 });
  }
}

const AUTH = testAuth();
const TOKEN = AUTH.tokens.ingest;
const snapshot = buildSnapshot({
  settings: { apiVersion: 'herald.dev/v1alpha1', kind: 'Settings', metadata: { name: 'default' }, spec: { batchMaxWait: '0s', cluster: { name: 'member-a' } } },
  receivers: [receiver('sink', { type: 'global' }, { webhook: { url: 'http://sink.invalid/' } })],
  rules: [{ apiVersion: 'herald.dev/v1alpha1', kind: 'Rule', metadata: { name: 'secret-reads' }, spec: { source: 'Audit', audit: { verbs: ['get'], resources: [{ resource: 'secrets' }] } } }],
});

let running: { app: FastifyInstance; pipeline: Pipeline }[] = [];
afterEach(async () => {
  for (const { app, pipeline } of running) {
    await app.close();
    await pipeline.stop();
  }
  running = [];
});

function setup() {
  const outbox = new Outbox(openDb({ path: ':memory:' }));
  const sink = new Sink();
  const renderer = () => ({ render: () => 'text' });
  const pipeline = new Pipeline({ outbox, snapshot: () => snapshot, notifiers: { webhook: sink }, renderer });
  const app = buildApp({ outbox, snapshot: () => snapshot, notifiers: { webhook: sink }, renderer, auth: AUTH.auth, namespace: 'herald-system', onAccepted: () => pipeline.accepted(), now: () => Date.now(), logLevel: 'silent' });
  running.push({ app, pipeline });
  pipeline.start();
  return { app, outbox, sink };
}

const item = (auditID: string, resource: string, name: string) => ({
  kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID, stage: 'ResponseComplete', requestURI: `/api/v1/namespaces/shop/${resource}/${name}`, verb: 'get',
  user: { username: 'alice', groups: ['system:authenticated'] }, sourceIPs: ['127.0.0.1'], userAgent: 'kubectl', objectRef: { resource, namespace: 'shop', name, apiVersion: 'v1' },
  responseStatus: { metadata: {}, code: 200 }, requestReceivedTimestamp: '2026-11-21T12:00:00.000001Z', stageTimestamp: '2026-11-21T12:00:00.000002Z', annotations: { 'authorization.k8s.io/decision': 'allow' },
});
const list = (items: unknown[]) => JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items });
const post = (app: FastifyInstance, payload: string, token = TOKEN) =>
  app.inject({ method: 'POST', url: '/api/v2/audit', payload, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
/** Longer than the 2 s the loop here used to give, and within the 5 s a unit test has. */
const wait = { ms: 4_000 };

describe('POST /api/v2/audit', () => {
  it('stores the EventList before answering 200, and what a rule selects reaches the receiver', async () => {
    const { app, sink } = setup();
    const res = await post(app, list([item('a-1', 'secrets', 'db'), item('a-2', 'configmaps', 'cfg')]));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 200, message: 'accepted 2 audit events' });
    await until('the audit notification at the receiver', () => sink.labels.length > 0, wait);
    await new Promise((r) => setTimeout(r, 50));
    expect(sink.labels).toEqual([expect.objectContaining({ alerttype: 'auditing', resource: 'secrets', name: 'db', user: 'alice', verb: 'get', code: '200', cluster: 'member-a' })]);
  });

  it('answers 400 naming the field when the body is not an audit EventList', async () => {
    const { app, outbox } = setup();
    const missing = await post(app, list([{ ...item('a-1', 'secrets', 'db'), auditID: undefined }]));
    expect(missing.statusCode).toBe(400);
    expect(missing.json<{ message: string }>().message).toContain('auditID');
    const wrong = await post(app, JSON.stringify({ kind: 'EventList', items: 'nope' }));
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json<{ message: string }>().message).toContain('items');
    const badCode = await post(app, list([{ ...item('a-1', 'secrets', 'db'), responseStatus: { code: '200' } }]));
    expect(badCode.statusCode).toBe(400);
    expect(badCode.json<{ message: string }>().message).toContain('/items/0/responseStatus/code');
    expect(outbox.depth().inbox).toBe(0);
  });

  it('needs the bearer token, like ingest', async () => {
    const { app } = setup();
    const res = await post(app, list([item('a-1', 'secrets', 'db')]), 'wrong');
    expect(res.statusCode).toBe(401);
    expect(res.body).not.toContain(TOKEN);
  });

  it('a crafted request (many X-Forwarded-For entries, a huge URI or name) does not make the batch a 400; labels are cut', async () => {
    const { app, sink } = setup();
    const long = 'n'.repeat(5000);
    const crafted = {
      ...item('a-1', 'secrets', long),
      requestURI: `/api/v1/namespaces/shop/secrets/${long}?${'x'.repeat(100_000)}`,
      sourceIPs: Array.from({ length: 200 }, (_, i) => `10.0.${i >> 8}.${i & 255}`),
      userAgent: 'u'.repeat(5000),
      impersonatedUser: { username: 'i'.repeat(5000), groups: Array.from({ length: 2000 }, (_, i) => `g${i}`) },
      responseStatus: { metadata: {}, code: 404, status: 'Failure', reason: 'NotFound', message: `secrets "${long}" not found`.repeat(20) },
    };
    const res = await post(app, list([crafted, item('a-2', 'secrets', 'db')]));
    expect(res.statusCode).toBe(200);
    await until('both audit notifications at the receiver', () => sink.labels.length >= 2, wait);
    expect(sink.labels.map((l) => l['name']?.length)).toEqual([1024, 2]);
  });

  it('never keeps request or response bodies (a Secret read logged at RequestResponse level)', async () => {
    const outbox = new Outbox(openDb({ path: ':memory:' }));
    const app = buildApp({ outbox, snapshot: () => snapshot, notifiers: {}, renderer: () => ({ render: () => 'text' }), auth: AUTH.auth, namespace: 'herald-system', onAccepted: () => undefined, now: () => Date.now(), logLevel: 'silent' });
    const secret = { kind: 'Secret', apiVersion: 'v1', metadata: { name: 'db' }, data: { password: Buffer.from('hunter2-s3cret').toString('base64') } };
    const withBodies = { ...item('a-1', 'secrets', 'db'), level: 'RequestResponse', requestObject: secret, responseObject: secret };
    expect((await post(app, list([withBodies, item('a-2', 'configmaps', 'cfg')]))).statusCode).toBe(200);
    const [row] = outbox.inbox(10);
    const secretText = Buffer.from('hunter2-s3cret').toString('base64');
    expect(row?.body).not.toContain(secretText);
    expect((JSON.parse(row?.body ?? '{}') as { items: { auditID: string }[] }).items.map((e) => e.auditID)).toEqual(['a-1', 'a-2']);
    // Without bodies the text is stored as received.
    expect((await post(app, list([item('a-3', 'secrets', 'db')]))).statusCode).toBe(200);
    expect(outbox.inbox(10)[1]?.body).toBe(list([item('a-3', 'secrets', 'db')]));
    await app.close();
  });

  it('takes an empty list without storing anything', async () => {
    const { app, outbox } = setup();
    const res = await post(app, list([]));
    expect(res.statusCode).toBe(200);
    expect(outbox.depth().inbox).toBe(0);
  });
});
