/**
 * A real Alertmanager v0.28.1 in front of a real agent: alerts posted to Alertmanager's API come
 * out of the agent's webhook receiver, firing and then resolved, and the agent accepts every
 * request Alertmanager makes (its ingest token, its body). Alone and as an HA pair.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sumOfSamples, agentWebhook, amtool, startAlertmanager, startAlertmanagerCluster, type AlertmanagerProcess } from './alertmanager.js';
import { configDir, startAgent, type AgentProcess } from './agent-process.js';
import { startHttpServer, type TestHttpServer } from './http-server.js';

const API = 'herald.dev/v1alpha1';
const settings = { apiVersion: API, kind: 'Settings', metadata: { name: 'default' }, spec: { batchMaxWait: '0s', groupLabels: ['alertname'], cluster: { name: 'member-a' }, delivery: { initialBackoff: '100ms', maxBackoff: '500ms' } } };
const sinkReceiver = (url: string) => ({ apiVersion: API, kind: 'Receiver', metadata: { name: 'sink', labels: { type: 'global' } }, spec: { webhook: { url } } });

interface DeliveredAlert {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

/** Every alert the sink got, in arrival order, with the index of the request that carried it. */
const delivered = (sink: TestHttpServer): (DeliveredAlert & { request: number })[] =>
  sink.requests.flatMap((r, request) => (JSON.parse(r.body) as { alerts: DeliveredAlert[] }).alerts.map((a) => ({ ...a, request })));

/** Polls until `find` returns something; fails with `describe()` after `ms`. */
async function eventually<T>(find: () => T | undefined, ms: number, describe: () => string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${describe()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What went wrong, for failure messages: both logs and what the sink got. */
const story = (agent: AgentProcess, ams: AlertmanagerProcess[], sink: TestHttpServer) => (): string =>
  [`agent:\n${agent.output()}`, ...ams.map((am) => `alertmanager ${am.url}:\n${am.output()}`), `sink:\n${sink.requests.map((r) => r.body).join('\n')}`].join('\n');

/** Nothing Alertmanager sent was refused: no 4xx logged or counted by the agent, no failed notification in Alertmanager. */
async function expectNothingRefused(agent: AgentProcess, ams: AlertmanagerProcess[]): Promise<void> {
  expect(agent.output()).not.toContain('refused:');
  expect(sumOfSamples(await (await fetch(`${agent.url}/metrics`)).text(), 'herald_requests_rejected_total')).toBe(0);
  for (const am of ams) {
    expect(await am.metric('alertmanager_notifications_failed_total', { integration: 'webhook' })).toBe(0);
    expect(am.output()).not.toContain('Notify for alerts failed');
  }
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
  cleanup = [];
});

async function agentWithSink(): Promise<{ agent: AgentProcess; sink: TestHttpServer }> {
  const sink = await startHttpServer({ handler: () => ({ status: 200, body: 'ok' }) });
  cleanup.push(() => sink.close());
  const agent = await startAgent({ configDir: configDir([settings, sinkReceiver(sink.origin)]) });
  cleanup.push(() => agent.stop());
  return { agent, sink };
}

const labels = { alertname: 'HeraldFrontTest', namespace: 'prod', pod: 'api-1', severity: 'critical' };
const annotations = { summary: 'api-1 is crash looping' };
const generatorURL = 'http://prometheus.local/graph?g0.expr=up';

describe('Alertmanager in front of the agent', () => {
  it('a firing alert posted to Alertmanager reaches the sink through the agent, then its resolution', async () => {
    const { agent, sink } = await agentWithSink();
    const am = await startAlertmanager({ webhook: agentWebhook(agent), route: { groupBy: ['alertname'], groupWait: '1s', groupInterval: '1s' } });
    cleanup.push(() => am.stop());
    const check = await amtool(['check-config', am.configFile]);
    expect(check.code, check.output).toBe(0);
    const explain = story(agent, [am], sink);

    const startsAt = new Date(Date.now() - 60_000).toISOString();
    await am.postAlerts([{ labels, annotations, startsAt, generatorURL }]);
    const firing = await eventually(() => delivered(sink).find((a) => a.labels['alertname'] === labels.alertname && a.status === 'firing'), 30_000, explain);
    // Alertmanager's labels, with the agent's cluster stamped on; the rest as Alertmanager sent it.
    expect(firing.labels).toEqual({ ...labels, cluster: 'member-a' });
    expect(firing.annotations).toEqual(annotations);
    expect(firing.generatorURL).toBe(generatorURL);
    expect(Date.parse(firing.startsAt)).toBe(Date.parse(startsAt));

    const endsAt = new Date(Date.now() - 1000).toISOString();
    await am.postAlerts([{ labels, annotations, startsAt, endsAt, generatorURL }]);
    const resolved = await eventually(() => delivered(sink).find((a) => a.labels['alertname'] === labels.alertname && a.status === 'resolved'), 30_000, explain);
    expect(resolved.request).toBeGreaterThan(firing.request);
    expect(resolved.labels).toEqual({ ...labels, cluster: 'member-a' });
    expect(Date.parse(resolved.endsAt)).toBe(Date.parse(endsAt));

    // Alertmanager did send both (its own count), and nothing it sent was refused.
    expect(await am.metric('alertmanager_notifications_total', { integration: 'webhook' })).toBeGreaterThanOrEqual(2);
    await expectNothingRefused(agent, [am]);
  });

  it('an HA pair of Alertmanagers, both given the alert, gets it to the sink through the agent', async () => {
    const { agent, sink } = await agentWithSink();
    const pair = await startAlertmanagerCluster({ webhook: agentWebhook(agent), route: { groupBy: ['alertname'], groupWait: '1s', groupInterval: '1s' } });
    cleanup.push(...pair.map((am) => () => am.stop()));
    for (const am of pair) expect(await am.cluster()).toEqual({ status: 'ready', peers: 2 });
    const explain = story(agent, pair, sink);

    // Prometheus sends every alert to every Alertmanager of the pair.
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    for (const am of pair) await am.postAlerts([{ labels, annotations, startsAt, generatorURL }]);
    const firing = await eventually(() => delivered(sink).find((a) => a.labels['alertname'] === labels.alertname && a.status === 'firing'), 30_000, explain);
    expect(firing.labels).toEqual({ ...labels, cluster: 'member-a' });
    await expectNothingRefused(agent, pair);
  });
});
