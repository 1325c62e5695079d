/**
 * Herald's InhibitRule on what a real Alertmanager sends: Alertmanager has no inhibit rules of its
 * own, groups NodeDown with its PodNotReady alerts, and posts them to the agent; the agent mutes
 * the pods while NodeDown fires, and lets them through once Alertmanager sends NodeDown resolved.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { agentWebhook, startAlertmanager, sumOfSamples } from './alertmanager.js';
import { configDir, startAgent } from './agent-process.js';
import { startHttpServer, type TestHttpServer } from './http-server.js';
import { API, cleanupAfterEach, eventually, historyOf, settingsObject, sinkReceiver } from './am-scenario.js';

const settings = settingsObject();
const nodeDown = {
  apiVersion: API,
  kind: 'InhibitRule',
  metadata: { name: 'node-down', labels: { type: 'global' } },
  spec: { sourceMatch: { matchLabels: { alertname: 'NodeDown' } }, targetMatch: { matchLabels: { severity: 'warning' } }, equal: ['node'] },
};

/** `alertname/pod:status` of every alert the sink got. */
const received = (sink: TestHttpServer): string[] =>
  sink.requests.flatMap((r) =>
    (JSON.parse(r.body) as { alerts: { status: string; labels: Record<string, string> }[] }).alerts.map((a) => `${a.labels['alertname']}/${a.labels['pod'] ?? ''}:${a.status}`),
  );

const track = cleanupAfterEach();

describe('InhibitRule behind a real Alertmanager', () => {
  it('mutes the targets Alertmanager sends with their source, until the source resolves', async () => {
    const sink = await startHttpServer({ handler: () => ({ status: 200, body: 'ok' }) });
    track(() => sink.close());
    const agent = await startAgent({ configDir: configDir([settings, sinkReceiver(sink.origin), nodeDown]) });
    track(() => agent.stop());
    // One group for everything (group_by: []), so a source and its targets arrive in one request.
    const am = await startAlertmanager({ webhook: agentWebhook(agent), route: { groupBy: [], groupWait: '1s', groupInterval: '1s' } });
    track(() => am.stop());
    expect(readFileSync(am.configFile, 'utf8')).not.toContain('inhibit_rules');
    const explain = (): string => `agent:\n${agent.output()}\nalertmanager:\n${am.output()}\nsink got: ${received(sink).join(', ')}`;
    const metrics = async (): Promise<string> => (await fetch(`${agent.url}/metrics`)).text();

    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const source = { labels: { alertname: 'NodeDown', node: 'n1', severity: 'critical' }, startsAt };
    const pods = ['a', 'b'].map((pod) => ({ labels: { alertname: 'PodNotReady', node: 'n1', pod, severity: 'warning' }, startsAt }));
    await am.postAlerts([source, ...pods]);

    await eventually(() => (received(sink).includes('NodeDown/:firing') ? true : undefined), explain);
    // Alertmanager did send the pods: the agent muted them, and says so.
    const entry = await eventually(async () => (await historyOf(agent, 'inhibited')).at(0), explain);
    expect(entry.answer).toBe('inhibited by node-down');
    expect(entry.fingerprints).toHaveLength(2);
    expect(sumOfSamples(await metrics(), 'herald_notifications_inhibited_total', { rule: 'node-down' })).toBe(2);
    expect(received(sink).filter((a) => a.startsWith('PodNotReady'))).toEqual([]);

    // NodeDown resolves in Alertmanager: it sends the group again, NodeDown resolved and the pods
    // still firing, and the agent, having taken the resolution first, lets the pods through.
    await am.postAlerts([{ ...source, endsAt: new Date(Date.now() - 1000).toISOString() }]);
    await eventually(() => (['PodNotReady/a:firing', 'PodNotReady/b:firing', 'NodeDown/:resolved'].every((a) => received(sink).includes(a)) ? true : undefined), explain);
    expect(sumOfSamples(await metrics(), 'herald_inhibit_sources')).toBe(0);
    expect(await am.metric('alertmanager_notifications_failed_total', { integration: 'webhook' })).toBe(0);
  });
});
