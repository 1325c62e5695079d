/**
 * What a receiver behind Herald gets when a real Alertmanager v0.28.1 sends to the agent, case by
 * case, in order: a group that resolves in parts, an alert that fires again after its resolution,
 * repeat_interval reminders, max_alerts truncation, HA pairs (unclustered and gossiping), a group
 * of more than 10,000 alerts, Herald Silences with startsAt, and PagerDuty and Opsgenie seeing
 * trigger and resolve only when the group as a whole fires and resolves.
 */
import { describe, expect, it } from 'vitest';
import { agentWebhook, startAlertmanager, startAlertmanagerCluster, type AlertmanagerOptions, type AlertmanagerProcess, type PostableAlert } from './alertmanager.js';
import { configDir, startAgent, type AgentProcess } from './agent-process.js';
import { startHttpServer, type TestHttpServer } from './http-server.js';
import { startFakePagerDuty } from './pagerduty.js';
import { startFakeOpsgenie } from './opsgenie.js';
import {
  API,
  agentMetric,
  cleanupAfterEach,
  delivered,
  eventually,
  expectNothingRefused,
  groups,
  historyOf,
  holds,
  settingsObject,
  sinkReceiver,
  story,
  timeline,
} from './am-scenario.js';

const track = cleanupAfterEach();

async function startSink(): Promise<TestHttpServer> {
  const sink = await startHttpServer({ handler: () => ({ status: 200, body: 'ok' }) });
  track(() => sink.close());
  return sink;
}

async function agentWith(objects: unknown[]): Promise<AgentProcess> {
  const agent = await startAgent({ configDir: configDir(objects) });
  track(() => agent.stop());
  return agent;
}

async function alertmanagerFor(agent: AgentProcess, opts: Omit<AlertmanagerOptions, 'webhook'> & { maxAlerts?: number } = {}): Promise<AlertmanagerProcess> {
  const am = await startAlertmanager({ ...opts, webhook: { ...agentWebhook(agent), maxAlerts: opts.maxAlerts ?? 0 } });
  track(() => am.stop());
  return am;
}

/** How many notifications each Alertmanager sent to the agent. */
const sentBy = (ams: AlertmanagerProcess[]): Promise<number[]> => Promise.all(ams.map((am) => am.metric('alertmanager_notifications_total', { integration: 'webhook' })));

/**
 * Whether the agent has taken and worked off every notification the Alertmanagers sent: it
 * accepted as many alerts as they sent (each request here carries one) and nothing waits.
 */
async function settled(agent: AgentProcess, ams: AlertmanagerProcess[]): Promise<boolean> {
  const sent = (await sentBy(ams)).reduce((a, b) => a + b, 0);
  const accepted = await agentMetric(agent, 'herald_notifications_accepted_total');
  return accepted >= sent && (await agentMetric(agent, 'herald_queue_depth')) === 0;
}

const ago = (ms: number): string => new Date(Date.now() - ms).toISOString();
const pod = (name: string, startsAt: string, extra: Partial<PostableAlert> = {}): PostableAlert => ({
  labels: { alertname: 'PodCrashLooping', namespace: 'prod', pod: name, severity: 'critical' },
  annotations: { summary: `${name} is crash looping` },
  startsAt,
  ...extra,
});

describe('Alertmanager semantics through the agent', () => {
  it('a group resolving in parts stays firing until its last alert resolves; PagerDuty and Opsgenie resolve only then', async () => {
    const sink = await startSink();
    const pd = await startFakePagerDuty();
    track(() => pd.close());
    const og = await startFakeOpsgenie({ apiKey: 'og-key-1' });
    track(() => og.close());
    const agent = await agentWith([
      settingsObject(),
      sinkReceiver(sink.origin),
      { apiVersion: API, kind: 'Config', metadata: { name: 'pd', labels: { type: 'default' } }, spec: { pagerduty: { apiUrl: pd.apiUrl } } },
      { apiVersion: API, kind: 'Config', metadata: { name: 'og', labels: { type: 'default' } }, spec: { opsgenie: { apiKey: { value: 'og-key-1' }, apiUrl: og.apiUrl } } },
      { apiVersion: API, kind: 'Receiver', metadata: { name: 'pager', labels: { type: 'global' } }, spec: { pagerduty: { routingKey: { value: 'R0UTINGKEYSECRETabcdefghijklmno1' } } } },
      { apiVersion: API, kind: 'Receiver', metadata: { name: 'genie', labels: { type: 'global' } }, spec: { opsgenie: {} } },
    ]);
    const am = await alertmanagerFor(agent);
    const explain = story(agent, [am], [sink]);
    const why = (): string => `${explain()}\npagerduty events: ${JSON.stringify(pd.events.map((e) => e['event_action']))}\nopsgenie: ${JSON.stringify(og.alerts)}`;

    const startsAt = ago(60_000);
    await am.postAlerts([pod('p1', startsAt), pod('p2', startsAt)]);
    await eventually(() => holds(() => groups(sink).length >= 1 && pd.events.length >= 1 && og.alerts.length >= 1), why);

    // p1 resolves: Alertmanager sends the group firing, [p1 resolved, p2 firing].
    await am.postAlerts([pod('p1', startsAt, { endsAt: ago(1000) })]);
    await eventually(() => holds(() => groups(sink).length >= 2 && pd.events.length >= 2), why);
    // p2 resolves: the group is over.
    await am.postAlerts([pod('p2', startsAt, { endsAt: ago(1000) })]);
    await eventually(() => holds(() => groups(sink).some((g) => g.status === 'resolved') && pd.incidents.some((i) => i.status === 'resolved') && og.alerts.some((a) => a.status === 'closed')), why);

    // In Alertmanager's order: the group's alerts as it lists them, each in its state.
    expect(timeline(sink)).toEqual(['firing[p1:firing,p2:firing]', 'firing[p1:resolved,p2:firing]', 'resolved[p2:resolved]']);
    // One incident, triggered twice (the second carries the new state) and resolved once, at the end.
    expect(pd.events.map((e) => e['event_action'])).toEqual(['trigger', 'trigger', 'resolve']);
    expect(pd.incidents).toEqual([expect.objectContaining({ status: 'resolved', triggers: 2 })]);
    // One Opsgenie alert (its alias), closed once, at the end.
    expect(og.alerts).toEqual([expect.objectContaining({ status: 'closed', count: 2 })]);
    expect(og.requests.filter((r) => r.url.includes('/close')).length).toBe(1);
    await expectNothingRefused(agent, [am]);
  });

  it('an alert that fires again after its resolution (same startsAt) is delivered again', async () => {
    const sink = await startSink();
    const agent = await agentWith([settingsObject(), sinkReceiver(sink.origin)]);
    const am = await alertmanagerFor(agent);
    const explain = story(agent, [am], [sink]);
    const startsAt = ago(60_000);

    await am.postAlerts([pod('f1', startsAt)]);
    await eventually(() => holds(() => groups(sink).length === 1), explain);
    await am.postAlerts([pod('f1', startsAt, { endsAt: ago(1000) })]);
    await eventually(() => holds(() => groups(sink).length === 2), explain);
    // What Alertmanager gets when Prometheus resends the alert after its endsAt (a restart, a blip).
    await am.postAlerts([pod('f1', startsAt)]);
    await eventually(() => holds(() => groups(sink).length === 3), explain);

    expect(timeline(sink)).toEqual(['firing[f1:firing]', 'resolved[f1:resolved]', 'firing[f1:firing]']);
    // Alertmanager's fingerprint of the one alert, every time.
    expect(new Set(delivered(sink).map((a) => a.fingerprint)).size).toBe(1);
    expect(delivered(sink)[0]?.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    await expectNothingRefused(agent, [am]);
  });

  it('forwards each repeat_interval reminder when dedupWindow is below repeat_interval', async () => {
    const sink = await startSink();
    const agent = await agentWith([settingsObject({ dedupWindow: '1s' }), sinkReceiver(sink.origin)]);
    const am = await alertmanagerFor(agent, { route: { groupWait: '1s', groupInterval: '1s', repeatInterval: '3s' } });
    const explain = story(agent, [am], [sink]);

    await am.postAlerts([pod('r1', ago(60_000))]);
    await eventually(() => holds(() => groups(sink).length >= 3), explain, 45_000);
    const sent = await am.metric('alertmanager_notifications_total', { integration: 'webhook' });
    // Every reminder Alertmanager sent reached the receiver: the same firing group each time.
    await eventually(() => holds(() => groups(sink).length >= sent), explain);
    expect(new Set(timeline(sink))).toEqual(new Set(['firing[r1:firing]']));
    expect(await agentMetric(agent, 'herald_requests_rejected_total')).toBe(0);
  });

  it('with the default 30 s window, a repeat arriving within it is one delivery, and history says it was suppressed', async () => {
    const sink = await startSink();
    const agent = await agentWith([settingsObject(), sinkReceiver(sink.origin)]);
    const am = await alertmanagerFor(agent, { route: { groupWait: '1s', groupInterval: '1s', repeatInterval: '2s' } });
    const explain = story(agent, [am], [sink]);

    await am.postAlerts([pod('w1', ago(60_000))]);
    await eventually(async () => ((await historyOf(agent, 'suppressed')).length >= 2 ? true : undefined), explain);
    expect(await am.metric('alertmanager_notifications_total', { integration: 'webhook' })).toBeGreaterThanOrEqual(3);
    expect(timeline(sink)).toEqual(['firing[w1:firing]']);
  });

  it('max_alerts: the alerts Alertmanager kept are delivered, with its truncatedAlerts count', async () => {
    const sink = await startSink();
    const agent = await agentWith([settingsObject(), sinkReceiver(sink.origin)]);
    const am = await alertmanagerFor(agent, { maxAlerts: 2 });
    const explain = story(agent, [am], [sink]);

    const startsAt = ago(60_000);
    await am.postAlerts(['m1', 'm2', 'm3', 'm4', 'm5'].map((name) => pod(name, startsAt)));
    const [group] = await eventually(() => (groups(sink).length ? groups(sink) : undefined), explain);
    expect(group?.alerts).toHaveLength(2);
    expect(group?.truncatedAlerts).toBe(3);
    expect(group?.status).toBe('firing');
    expect(group?.externalURL).toBe(am.url);
    expect(group?.groupKey).toBe('{}:{alertname="PodCrashLooping"}');
    await expectNothingRefused(agent, [am]);
  });

  it('an unclustered HA pair: both send every notification, the receiver gets each once', async () => {
    const sink = await startSink();
    const agent = await agentWith([settingsObject(), sinkReceiver(sink.origin)]);
    const pair = [await alertmanagerFor(agent), await alertmanagerFor(agent)];
    const explain = story(agent, pair, [sink]);

    const startsAt = ago(60_000);
    for (const am of pair) await am.postAlerts([pod('h1', startsAt)]);
    // Both Alertmanagers sent it (neither knows of the other), and the agent took both.
    await eventually(async () => ((await sentBy(pair)).every((n) => n >= 1) && (await settled(agent, pair)) ? true : undefined), explain);
    for (const am of pair) await am.postAlerts([pod('h1', startsAt, { endsAt: ago(1000) })]);
    await eventually(async () => ((await sentBy(pair)).every((n) => n >= 2) && (await settled(agent, pair)) ? true : undefined), explain);

    expect(timeline(sink)).toEqual(['firing[h1:firing]', 'resolved[h1:resolved]']);
    // The agent took all four copies (two arriving together are one batch, so history may show fewer suppressed).
    expect(await agentMetric(agent, 'herald_notifications_accepted_total')).toBeGreaterThanOrEqual(4);
    await expectNothingRefused(agent, pair);
  });

  it('a gossiping HA pair: the receiver gets each state once, late copies of a peer included', async () => {
    const sink = await startSink();
    const agent = await agentWith([settingsObject(), sinkReceiver(sink.origin)]);
    const pair = await startAlertmanagerCluster({ webhook: agentWebhook(agent), route: { groupWait: '1s', groupInterval: '1s' } });
    for (const am of pair) track(() => am.stop());
    const explain = story(agent, pair, [sink]);
    // A member sends only after its peer timeout (2 s here) × its position, if the log gossiped
    // from the others says the receiver does not have that state yet: by 3 peer timeouts it has.
    const settle = async (): Promise<void> => {
      await new Promise((r) => setTimeout(r, 6000));
      await eventually(async () => ((await settled(agent, pair)) ? true : undefined), explain);
    };

    const startsAt = ago(60_000);
    for (const am of pair) await am.postAlerts([pod('c1', startsAt)]);
    await eventually(() => holds(() => groups(sink).length >= 1), explain);
    await settle();
    for (const am of pair) await am.postAlerts([pod('c1', startsAt, { endsAt: ago(1000) })]);
    await eventually(() => holds(() => groups(sink).length >= 2), explain);
    await settle();

    expect(timeline(sink)).toEqual(['firing[c1:firing]', 'resolved[c1:resolved]']);
    await expectNothingRefused(agent, pair);
  });

  it('a group of 12,000 alerts from Alertmanager is accepted and every alert delivered', async () => {
    const sink = await startSink();
    const agent = await agentWith([settingsObject(), sinkReceiver(sink.origin)]);
    const am = await alertmanagerFor(agent, { route: { groupWait: '2s', groupInterval: '5s' } });
    const explain = (): string => `agent:\n${agent.output()}\nalertmanager:\n${am.output()}\nsink got ${delivered(sink).length} alerts`;

    const startsAt = ago(60_000);
    const names = Array.from({ length: 12_000 }, (_, i) => `big-${i}`);
    for (let i = 0; i < names.length; i += 2000) await am.postAlerts(names.slice(i, i + 2000).map((name) => pod(name, startsAt)));
    await eventually(() => holds(() => new Set(delivered(sink).map((a) => a.fingerprint)).size >= names.length), explain, 90_000);

    const got = delivered(sink);
    expect(new Set(got.map((a) => a.labels['pod']))).toEqual(new Set(names));
    expect(got.every((a) => a.status === 'firing')).toBe(true);
    await expectNothingRefused(agent, [am]);
  }, 120_000);

  it('a Herald Silence with startsAt mutes from then on; one starting later does not yet', async () => {
    const sink = await startSink();
    const silence = (name: string, alertname: string, startsAt: string) => ({
      apiVersion: API,
      kind: 'Silence',
      metadata: { name, labels: { type: 'global' } },
      spec: { matcher: { matchLabels: { alertname } }, startsAt, duration: '1h' },
    });
    const agent = await agentWith([settingsObject(), sinkReceiver(sink.origin), silence('now', 'Muted', ago(60_000)), silence('later', 'NotYet', new Date(Date.now() + 3_600_000).toISOString())]);
    const am = await alertmanagerFor(agent);
    const explain = story(agent, [am], [sink]);
    // The agent took both Silences (it used to refuse every startsAt as an unknown format).
    expect(agent.output()).not.toContain('skipped Silence');

    const startsAt = ago(60_000);
    await am.postAlerts([
      { labels: { alertname: 'Muted', severity: 'critical' }, startsAt },
      { labels: { alertname: 'NotYet', severity: 'critical' }, startsAt },
    ]);
    await eventually(() => holds(() => groups(sink).some((g) => g.alerts.some((a) => a.labels['alertname'] === 'NotYet'))), explain);
    await eventually(async () => ((await agentMetric(agent, 'herald_notifications_silenced_total')) >= 1 ? true : undefined), explain);
    expect(delivered(sink).filter((a) => a.labels['alertname'] === 'Muted')).toEqual([]);
    await expectNothingRefused(agent, [am]);
  });
});
