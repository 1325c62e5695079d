/**
 * InhibitRules on a real agent process: a firing NodeDown mutes the PodNotReady alerts of its
 * node — the sink never gets them, history says "inhibited by node-down" with their fingerprints,
 * the metric counts them — through a SIGKILL and restart, until NodeDown resolves; then a
 * PodNotReady firing again is delivered.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { configDir, startAgent, type AgentProcess } from './agent-process.js';
import { sumOfSamples } from './alertmanager.js';
import { startHttpServer, type TestHttpServer } from './http-server.js';
import { eventually } from '../support/eventually.js';

const API = 'herald.dev/v1alpha1';
const settings = { apiVersion: API, kind: 'Settings', metadata: { name: 'default' }, spec: { batchMaxWait: '0s', groupLabels: ['alertname'], cluster: { name: 'member-a' } } };
const sinkReceiver = (url: string) => ({ apiVersion: API, kind: 'Receiver', metadata: { name: 'sink', labels: { type: 'global' } }, spec: { webhook: { url } } });
const nodeDown = {
  apiVersion: API,
  kind: 'InhibitRule',
  metadata: { name: 'node-down', labels: { type: 'global' } },
  spec: { sourceMatch: { matchLabels: { alertname: 'NodeDown' } }, targetMatch: { matchLabels: { alertname: 'PodNotReady' } }, equal: ['node'] },
};

interface Sent {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
}
interface HistoryEntry {
  receiver: string;
  channel: string;
  outcome: string;
  notifications: number;
  fingerprints: string[];
  answer: string;
}

/** `alertname@node/pod:status` of every alert the sink got. */
const received = (sink: TestHttpServer): string[] =>
  sink.requests.flatMap((r) =>
    (JSON.parse(r.body) as { alerts: (Sent & { fingerprint?: string })[] }).alerts.map((a) => `${a.labels['alertname']}@${a.labels['node'] ?? ''}/${a.labels['pod'] ?? ''}:${a.status}`),
  );

async function post(agent: AgentProcess, alerts: (Sent['labels'] & { status?: Sent['status'] })[]): Promise<void> {
  const body = {
    version: '4',
    status: 'firing',
    alerts: alerts.map(({ status, ...labels }) => ({
      status: status ?? 'firing',
      labels,
      startsAt: '2026-11-21T12:00:00Z',
      endsAt: status === 'resolved' ? '2026-11-21T12:30:00Z' : '0001-01-01T00:00:00Z',
    })),
  };
  const res = await fetch(`${agent.url}/api/v2/alerts`, { method: 'POST', headers: agent.headers('ingest'), body: JSON.stringify(body) });
  expect(res.status, await res.text()).toBe(200);
}

const inhibited = async (agent: AgentProcess): Promise<HistoryEntry[]> => {
  const res = await fetch(`${agent.url}/api/v2/history?outcome=inhibited`, { headers: agent.headers('admin') });
  expect(res.status).toBe(200);
  return ((await res.json()) as { entries: HistoryEntry[] }).entries;
};
const inhibitedCount = async (agent: AgentProcess): Promise<number> =>
  sumOfSamples(await (await fetch(`${agent.url}/metrics`)).text(), 'herald_notifications_inhibited_total', { rule: 'node-down' });

/** Waits until the sink has `alert`, so everything routed before it has been decided too. */
const arrived = (sink: TestHttpServer, alert: string, explain: () => string): Promise<true> =>
  eventually(() => (received(sink).includes(alert) ? true : undefined), () => `${alert} never arrived; ${explain()}`);

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
  cleanup = [];
});

describe('InhibitRule on a real agent', () => {
  it('mutes targets while the source fires, across a restart, and lets them through once it resolves', async () => {
    const sink = await startHttpServer({ handler: () => ({ status: 200, body: 'ok' }) });
    cleanup.push(() => sink.close());
    const dir = configDir([settings, sinkReceiver(sink.origin), nodeDown]);
    let agent = await startAgent({ configDir: dir });
    cleanup.push(() => agent.stop());
    const explain = (): string => `agent:\n${agent.output()}\nsink got: ${received(sink).join(', ')}`;

    // The source and its targets in one request (as Alertmanager sends a group): the targets are judged after the source.
    await post(agent, [
      { alertname: 'PodNotReady', node: 'n1', pod: 'a' },
      { alertname: 'NodeDown', node: 'n1' },
      { alertname: 'PodNotReady', node: 'n1', pod: 'b' },
      { alertname: 'PodNotReady', node: 'n2', pod: 'c' },
    ]);
    await arrived(sink, 'NodeDown@n1/:firing', explain);
    await arrived(sink, 'PodNotReady@n2/c:firing', explain);
    const first = await eventually(async () => (await inhibited(agent)).at(0), explain);
    expect(first).toMatchObject({ receiver: 'sink', channel: 'webhook', outcome: 'inhibited', notifications: 2, answer: 'inhibited by node-down' });
    expect(first.fingerprints).toHaveLength(2);
    expect(await inhibitedCount(agent)).toBe(2);

    // A target alone, later: still muted. A sentinel after it shows its routing is done.
    await post(agent, [{ alertname: 'PodNotReady', node: 'n1', pod: 'd' }]);
    await post(agent, [{ alertname: 'Sentinel', node: 'n1', pod: '1' }]);
    await arrived(sink, 'Sentinel@n1/1:firing', explain);
    expect(await inhibitedCount(agent)).toBe(3);

    // SIGKILL and restart on the same store: the source is still firing there.
    await agent.kill();
    agent = await startAgent({ configDir: dir, dataDir: agent.dataDir });
    await post(agent, [{ alertname: 'PodNotReady', node: 'n1', pod: 'e' }]);
    await post(agent, [{ alertname: 'Sentinel', node: 'n1', pod: '2' }]);
    await arrived(sink, 'Sentinel@n1/2:firing', explain);
    expect(await inhibitedCount(agent)).toBe(1);
    expect((await inhibited(agent)).map((e) => e.answer)).toEqual(['inhibited by node-down', 'inhibited by node-down', 'inhibited by node-down']);
    expect(received(sink).filter((a) => a.startsWith('PodNotReady@n1'))).toEqual([]);

    // The source resolves: a target firing again goes out.
    await post(agent, [{ alertname: 'NodeDown', node: 'n1', status: 'resolved' }]);
    await arrived(sink, 'NodeDown@n1/:resolved', explain);
    await post(agent, [{ alertname: 'PodNotReady', node: 'n1', pod: 'a' }]);
    await arrived(sink, 'PodNotReady@n1/a:firing', explain);
    expect(await inhibitedCount(agent)).toBe(1);
    expect(sumOfSamples(await (await fetch(`${agent.url}/metrics`)).text(), 'herald_inhibit_sources')).toBe(0);
  });
});
