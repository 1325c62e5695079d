/**
 * A real Alertmanager v0.28.1 in front of a real agent: alerts posted to Alertmanager's API come
 * out of the agent's webhook receiver, firing and then resolved, and the agent accepts every
 * request Alertmanager makes (its ingest token, its body). Alone and as an HA pair.
 */
import { describe, expect, it } from 'vitest';
import { agentWebhook, amtool, startAlertmanager, startAlertmanagerCluster } from './alertmanager.js';
import { configDir, startAgent, type AgentProcess } from './agent-process.js';
import { startHttpServer, type TestHttpServer } from './http-server.js';
import { cleanupAfterEach, delivered, eventually, expectNothingRefused, settingsObject, sinkReceiver, story } from './am-scenario.js';

const track = cleanupAfterEach();

async function agentWithSink(): Promise<{ agent: AgentProcess; sink: TestHttpServer }> {
  const sink = await startHttpServer({ handler: () => ({ status: 200, body: 'ok' }) });
  track(() => sink.close());
  const agent = await startAgent({ configDir: configDir([settingsObject(), sinkReceiver(sink.origin)]) });
  track(() => agent.stop());
  return { agent, sink };
}

const labels = { alertname: 'HeraldFrontTest', namespace: 'prod', pod: 'api-1', severity: 'critical' };
const annotations = { summary: 'api-1 is crash looping' };
const generatorURL = 'http://prometheus.local/graph?g0.expr=up';

describe('Alertmanager in front of the agent', () => {
  it('a firing alert posted to Alertmanager reaches the sink through the agent, then its resolution', async () => {
    const { agent, sink } = await agentWithSink();
    const am = await startAlertmanager({ webhook: agentWebhook(agent), route: { groupBy: ['alertname'], groupWait: '1s', groupInterval: '1s' } });
    track(() => am.stop());
    const check = await amtool(['check-config', am.configFile]);
    expect(check.code, check.output).toBe(0);
    const explain = story(agent, [am], [sink]);

    const startsAt = new Date(Date.now() - 60_000).toISOString();
    await am.postAlerts([{ labels, annotations, startsAt, generatorURL }]);
    const firing = await eventually(() => delivered(sink).find((a) => a.labels['alertname'] === labels.alertname && a.status === 'firing'), explain);
    // Alertmanager's labels, with the agent's cluster stamped on; the rest as Alertmanager sent it.
    expect(firing.labels).toEqual({ ...labels, cluster: 'member-a' });
    expect(firing.annotations).toEqual(annotations);
    expect(firing.generatorURL).toBe(generatorURL);
    expect(Date.parse(firing.startsAt)).toBe(Date.parse(startsAt));

    const endsAt = new Date(Date.now() - 1000).toISOString();
    await am.postAlerts([{ labels, annotations, startsAt, endsAt, generatorURL }]);
    const resolved = await eventually(() => delivered(sink).find((a) => a.labels['alertname'] === labels.alertname && a.status === 'resolved'), explain);
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
    for (const am of pair) track(() => am.stop());
    for (const am of pair) expect(await am.cluster()).toEqual({ status: 'ready', peers: 2 });
    const explain = story(agent, pair, [sink]);

    // Prometheus sends every alert to every Alertmanager of the pair.
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    for (const am of pair) await am.postAlerts([{ labels, annotations, startsAt, generatorURL }]);
    const firing = await eventually(() => delivered(sink).find((a) => a.labels['alertname'] === labels.alertname && a.status === 'firing'), explain);
    expect(firing.labels).toEqual({ ...labels, cluster: 'member-a' });
    await expectNothingRefused(agent, pair);
  });
});
