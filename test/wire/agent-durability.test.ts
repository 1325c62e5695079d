/**
 * The agent never loses what it accepted: killed with SIGKILL under load and restarted, every
 * alert that got a 2xx reaches the sink. A receiver that is down gets everything once it is back,
 * while another receiver's deliveries go on meanwhile. Real agent processes, real HTTP sinks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { configDir, startAgent, type AgentProcess } from './agent-process.js';
import { startHttpServer, type TestHttpServer } from './http-server.js';
import { until } from '../support/eventually.js';

const API = 'herald.dev/v1alpha1';
const settings = { apiVersion: API, kind: 'Settings', metadata: { name: 'default' }, spec: { batchMaxWait: '0s', batchMaxSize: 500, groupLabels: ['alertname'], cluster: { name: 'member-a' }, delivery: { initialBackoff: '100ms', maxBackoff: '500ms' } } };
const webhookReceiver = (name: string, url: string) => ({ apiVersion: API, kind: 'Receiver', metadata: { name, labels: { type: 'global' } }, spec: { webhook: { url } } });

/** alertnames the sink received, one entry per delivery (so duplicates show). */
const received = (sink: TestHttpServer): string[] =>
  sink.requests.flatMap((r) => (JSON.parse(r.body) as { alerts: { labels: { alertname: string; cluster: string } }[] }).alerts.map((a) => `${a.labels.cluster}:${a.labels.alertname}`));

const post = (agent: AgentProcess, ids: number[]): Promise<boolean> =>
  fetch(`${agent.url}/api/v2/alerts`, {
    method: 'POST',
    headers: agent.headers('ingest'),
    body: JSON.stringify({ version: '4', status: 'firing', alerts: ids.map((i) => ({ status: 'firing', labels: { alertname: `a-${i}` }, startsAt: '2026-11-21T12:00:00Z' })) }),
  }).then((r) => r.status === 200, () => false);

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
  cleanup = [];
});

describe('agent durability', () => {
  it('SIGKILL while 10,000 alerts are posted: every alert that got a 2xx reaches the sink after a restart', async () => {
    const sink = await startHttpServer({ handler: () => ({ status: 200, body: 'ok' }) });
    cleanup.push(() => sink.close());
    const dir = configDir([settings, webhookReceiver('sink', sink.origin)]);
    let agent: AgentProcess = await startAgent({ configDir: dir });
    const port = Number(new URL(agent.url).port);
    cleanup.push(() => agent.stop());

    const acked = new Set<number>();
    const total = 10_000;
    const perRequest = 10;
    let next = 0;
    let killed = false;
    const worker = async (): Promise<void> => {
      while (next < total) {
        const ids = Array.from({ length: perRequest }, (_, k) => next + k);
        next += perRequest;
        if (await post(agent, ids)) ids.forEach((i) => acked.add(i));
        if (!killed && acked.size >= 3000) {
          killed = true;
          await agent.kill();
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    expect(killed).toBe(true);
    const ackedBeforeRestart = acked.size;
    expect(ackedBeforeRestart).toBeGreaterThanOrEqual(3000);
    expect(ackedBeforeRestart).toBeLessThan(total);

    agent = await startAgent({ configDir: dir, dataDir: agent.dataDir, port });
    await until('every acknowledged alert at the sink', () => new Set(received(sink)).size >= acked.size, { ms: 60_000, detail: () => `${new Set(received(sink)).size} distinct alerts at the sink, ${acked.size} acknowledged` });
    const got = received(sink);
    const unique = new Set(got);
    const missing = [...acked].filter((i) => !unique.has(`member-a:a-${i}`));
    console.log(`SIGKILL test: ${total} posted, ${ackedBeforeRestart} acknowledged before the kill, ${got.length} deliveries, ${unique.size} unique, ${got.length - unique.size} duplicates, ${missing.length} acknowledged but missing`);
    expect(missing).toEqual([]);
  });

  it('a receiver that is down gets everything once it is back, while another receiver keeps receiving', async () => {
    let down = true;
    let refused = 0;
    const accepted: string[] = [];
    const names = (body: string): string[] => (JSON.parse(body) as { alerts: { labels: { alertname: string } }[] }).alerts.map((a) => a.labels.alertname);
    const flaky = await startHttpServer({
      handler: (req) => {
        if (down) return (refused++, { status: 503, body: 'maintenance' });
        accepted.push(...names(req.body));
        return { status: 200, body: 'ok' };
      },
    });
    const steady = await startHttpServer({ handler: () => ({ status: 200, body: 'ok' }) });
    cleanup.push(() => flaky.close(), () => steady.close());
    const agent = await startAgent({ configDir: configDir([settings, webhookReceiver('flaky', flaky.origin), webhookReceiver('steady', steady.origin)]) });
    cleanup.push(() => agent.stop());

    for (let i = 0; i < 20; i++) expect(await post(agent, [i])).toBe(true);
    await until('20 alerts at the steady receiver', () => received(steady).length === 20, { ms: 15_000, detail: () => `steady has ${received(steady).length}` });
    expect(received(steady)).toHaveLength(20);
    // While the flaky receiver is down, the steady one keeps receiving new alerts promptly.
    for (let i = 20; i < 30; i++) await post(agent, [i]);
    await until('30 alerts at the steady receiver while the flaky one is down', () => received(steady).length === 30, { ms: 5_000, detail: () => `steady has ${received(steady).length}` });
    expect(received(steady)).toHaveLength(30);
    expect(refused).toBeGreaterThan(1);
    expect(accepted).toEqual([]);

    down = false;
    await until('30 alerts at the flaky receiver once it is back', () => accepted.length >= 30, { ms: 30_000, detail: () => `flaky accepted ${accepted.length}` });
    // Everything, once, in order: a receiver's queue is FIFO.
    expect(accepted).toEqual(Array.from({ length: 30 }, (_, i) => `a-${i}`));
    const history = (await (await fetch(`${agent.url}/api/v2/history?receiver=flaky&outcome=retrying&limit=1`, { headers: agent.headers('admin') })).json()) as { entries: { answer: string }[] };
    expect(history.entries[0]?.answer).toContain('HTTP 503');
  });
});

describe('secrets', () => {
  it('a receiver that echoes its credentials back never gets them into logs, history or metrics', async () => {
    const token = 'tok-6f1d2c9b8a7e';
    const password = 'pw-0c4b3a29';
    // A hostile (or just chatty) endpoint: it refuses, and quotes the Authorization header it got.
    const echo = await startHttpServer({ handler: (req) => ({ status: 401, body: `denied for ${req.headers.authorization ?? ''} at ${req.url}` }) });
    cleanup.push(() => echo.close());
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: 'herald-system' }, stringData: { token, password } };
    const bearer = { apiVersion: API, kind: 'Receiver', metadata: { name: 'bearer', labels: { type: 'global' } }, spec: { webhook: { url: `${echo.origin}/hook?access_token=${token}`, httpConfig: { bearerToken: { valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } } } } } };
    const basic = { apiVersion: API, kind: 'Receiver', metadata: { name: 'basic', labels: { type: 'global' } }, spec: { webhook: { url: echo.origin, httpConfig: { basicAuth: { username: 'u', password: { valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } } } } } } };
    const agent = await startAgent({ configDir: configDir([settings, secret, bearer, basic]), env: { HERALD_LOG_LEVEL: 'debug' } });
    cleanup.push(() => agent.stop());
    await post(agent, [1]);
    const history = async (): Promise<string> => (await fetch(`${agent.url}/api/v2/history`, { headers: agent.headers('admin') })).text();
    await until('two requests to the echoing receiver', () => echo.requests.length >= 2, { ms: 10_000, detail: () => `it got ${echo.requests.length}` });
    await new Promise((r) => setTimeout(r, 500));
    const everything = [agent.output(), await history(), await (await fetch(`${agent.url}/metrics`)).text()].join('\n');
    expect(echo.requests.length).toBeGreaterThanOrEqual(2);
    expect(everything).toContain('HTTP 401');
    for (const value of [token, password, Buffer.from(`u:${password}`).toString('base64')]) expect(everything).not.toContain(value);
  });
});
