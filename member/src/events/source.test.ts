/**
 * The Events source against a fake API server (list, watch from a resourceVersion, 410 for a
 * compacted one, connections that drop): the first list is taken as known, a series is one
 * notification, and a dropped watch, a 410 relist and an agent restart neither lose nor repeat.
 */
import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki } from '../../../test/wire/certs.js';
import { until } from '../../../test/support/eventually.js';
import { buildSnapshot } from '../config/snapshot.js';
import type { KubeEvent } from '../ingest/kube-event.js';
import type { Notification } from '../model/notification.js';
import { Outbox } from '../store/outbox.js';
import { openDb } from '../store/schema.js';
import { EventSource } from './source.js';

/** A tiny events.k8s.io/v1 API: every change gets the next resourceVersion and is kept for watches. */
class FakeEvents {
  rv = 1;
  compactedBelow = 0;
  readonly events = new Map<string, KubeEvent>();
  readonly history: { rv: number; type: string; object: KubeEvent }[] = [];
  readonly watchFrom: string[] = [];
  private readonly watchers = new Set<{ res: ServerResponse; after: number }>();
  private readonly sockets = new Set<Socket>();
  server: Server | undefined;

  put(uid: string, count: number, type: 'Warning' | 'Normal' = 'Warning'): void {
    this.rv += 1;
    const object: KubeEvent = {
      metadata: { uid, name: uid, namespace: 'shop', resourceVersion: String(this.rv) },
      eventTime: '2026-11-21T12:00:00.000000Z',
      ...(count > 1 ? { series: { count, lastObservedTime: `2026-11-21T12:00:${String(count).padStart(2, '0')}.000000Z` } } : {}),
      reportingController: 'kubelet',
      reason: 'BackOff',
      regarding: { kind: 'Pod', name: `pod-${uid}`, namespace: 'shop' },
      note: 'Back-off restarting failed container',
      type,
    };
    const change = { rv: this.rv, type: this.events.has(uid) ? 'MODIFIED' : 'ADDED', object };
    this.events.set(uid, object);
    this.history.push(change);
    for (const w of this.watchers) w.res.write(`${JSON.stringify({ type: change.type, object })}\n`);
  }

  /** Every open connection is cut, as an API-server restart or a proxy would. */
  drop(): void {
    for (const s of this.sockets) s.destroy();
    this.watchers.clear();
  }

  async start(pki: ReturnType<typeof makeTestPki>): Promise<() => KubeConfig> {
    this.server = createServer({ ...pki.server }, (req, res) => {
      const url = new URL(req.url ?? '/', 'https://x');
      res.setHeader('content-type', 'application/json');
      if (url.searchParams.get('watch') !== 'true') {
        res.end(JSON.stringify({ items: [...this.events.values()], metadata: { resourceVersion: String(this.rv) } }));
        return;
      }
      const from = url.searchParams.get('resourceVersion') ?? '';
      this.watchFrom.push(from);
      res.writeHead(200);
      // As the API server does: headers go out at once, before any change.
      res.flushHeaders();
      if (Number(from) < this.compactedBelow) {
        res.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } })}\n`);
        return;
      }
      for (const c of this.history.filter((h) => h.rv > Number(from))) res.write(`${JSON.stringify({ type: c.type, object: c.object })}\n`);
      const w = { res, after: Number(from) };
      this.watchers.add(w);
      req.on('close', () => this.watchers.delete(w));
    });
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    const port = (this.server.address() as { port: number }).port;
    // A fresh KubeConfig per agent process (each has its own kept-alive connections).
    return () => {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'fake', server: `https://127.0.0.1:${port}`, caData: Buffer.from(pki.ca).toString('base64') }],
        users: [{ name: 'agent', token: 't' }],
        contexts: [{ name: 'fake', cluster: 'fake', user: 'agent' }],
        currentContext: 'fake',
      });
      return kc;
    };
  }
}

const api = new FakeEvents();
let kubeConfig: () => KubeConfig;
const db = openDb({ path: ':memory:' });
const outbox = new Outbox(db);
const snapshot = buildSnapshot({
  settings: { apiVersion: 'herald.dev/v1alpha1', kind: 'Settings', metadata: { name: 'default' }, spec: { batchMaxWait: '0s', cluster: { name: 'member-a' } } },
  receivers: [],
  rules: [],
});
const newSource = (): EventSource =>
  new EventSource({ kc: kubeConfig(), namespaces: undefined, db, outbox, snapshot: () => snapshot, nudge: () => undefined, log: () => undefined, backoff: { initialMs: 20, maxMs: 100 } });

/** uid:count of every notification stored so far. */
const notified = (): string[] =>
  outbox
    .inbox(1000)
    .filter((r) => r.source === 'event')
    .flatMap((r) => (JSON.parse(r.body) as Notification[]).map((n) => `${n.annotations['uid'] ?? ''}:${n.annotations['count'] ?? ''}`));
/** How long a wait may take, and what a timed-out one shows: what was notified. */
const wait = { ms: 5_000, detail: () => `notified ${JSON.stringify(notified())}` };

beforeAll(async () => {
  kubeConfig = await api.start(makeTestPki());
});
afterAll(() => {
  api.drop();
  api.server?.close();
});

describe('EventSource', () => {
  it('first list taken as known; a series is one notification; dropped watch, 410 and restart neither lose nor repeat', async () => {
    api.put('old', 1);
    let source = newSource();
    await source.start();

    api.put('e1', 1);
    api.put('quiet', 1, 'Normal');
    await until('e1', () => notified().includes('e1:1'), wait);
    for (let c = 2; c <= 4; c++) api.put('e1', c);
    await until('e1:4', () => notified().includes('e1:4'), wait);

    // A dropped connection: the watch resumes from the last resourceVersion it saw.
    const seenRv = String(api.rv);
    api.drop();
    api.put('e2', 1);
    await until('e2', () => notified().includes('e2:1'), wait);
    expect(api.watchFrom.at(-1)).toBe(seenRv);

    // The version is compacted away while the watch is down: 410, then a relist.
    api.drop();
    api.compactedBelow = api.rv + 1;
    api.put('e1', 5);
    api.put('e3', 1);
    await until('e1:5 and e3', () => notified().includes('e1:5') && notified().includes('e3:1'), wait);

    // The agent stops; while it is away an event repeats and a new one happens.
    await source.stop();
    api.drop();
    api.put('e2', 2);
    api.put('e4', 1);
    source = newSource();
    await source.start();
    await until('e2:2 and e4', () => notified().includes('e2:2') && notified().includes('e4:1'), wait);
    await new Promise((r) => setTimeout(r, 1200));
    await source.stop();

    expect(notified().sort()).toEqual(['e1:1', 'e1:4', 'e1:5', 'e2:1', 'e2:2', 'e3:1', 'e4:1']);
  }, 30_000);
});
