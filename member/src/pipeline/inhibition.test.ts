import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Channel, InhibitRule, Settings } from '@herald/shared';
import { buildSnapshot, type Snapshot, type SnapshotInput } from '../config/snapshot.js';
import { createMetrics, type Metrics } from '../metrics.js';
import { fingerprintOf, type Notification } from '../model/notification.js';
import type { Notifier, SendContext } from '../notify/notifier.js';
import { InhibitSourceStore } from '../store/inhibit-sources.js';
import { Outbox } from '../store/outbox.js';
import { openDb } from '../store/schema.js';
import { inhibitRule, receiver, silence } from '../../../test/support/objects.js';
import { until } from '../../../test/support/eventually.js';
import { Inhibition } from './inhibition.js';
import { Pipeline } from './pipeline.js';

const settings = (spec: Settings['spec'] = {}): Settings => ({
  apiVersion: 'herald.dev/v1alpha1',
  kind: 'Settings',
  metadata: { name: 'default' },
  spec: { batchMaxWait: '0s', groupLabels: ['alertname'], cluster: { name: 'member-a' }, ...spec },
});
const G = { type: 'global' };
const nodeDown = (labels: Record<string, string> = G): InhibitRule =>
  inhibitRule('node-down', labels, { sourceMatch: { matchLabels: { alertname: 'NodeDown' } }, targetMatch: { matchLabels: { alertname: 'PodNotReady' } }, equal: ['node'] });
const snap = (extra: Partial<SnapshotInput> = {}): Snapshot =>
  buildSnapshot({
    settings: settings(),
    receivers: [receiver('ops', G, { webhook: { url: 'http://ops.invalid/' } }), receiver('team', { type: 'tenant', namespace: 'team-a' }, { slack: { channels: ['#t'] } })],
    inhibitRules: [nodeDown()],
    ...extra,
  });

class Recorder implements Notifier {
  sent: { receiver: string; alerts: string[] }[] = [];
  constructor(readonly channel: Channel) {}
  send(ctx: SendContext): Promise<{ answer: string; messages: number }> {
    this.sent.push({ receiver: ctx.target.receiver, alerts: ctx.data.alerts.map((a) => `${a.labels['alertname']}@${a.labels['node'] ?? ''}:${a.status}`) });
    return Promise.resolve({ answer: 'HTTP 200 ok', messages: 1 });
  }
}

/** Polled every 5 ms, as the pipeline's own tests are. */
const wait = { ms: 10_000, every: 5 };
type Alert = Record<string, string> & { status?: 'firing' | 'resolved' };
const payload = (alerts: Alert[]): string =>
  JSON.stringify({
    version: '4',
    status: 'firing',
    alerts: alerts.map(({ status, ...labels }) => ({ labels, status: status ?? 'firing', startsAt: '2026-11-21T12:00:00Z', ...(status === 'resolved' ? { endsAt: '2026-11-21T12:10:00Z' } : {}) })),
  });
const fp = (labels: Record<string, string>): string => fingerprintOf({ ...labels, cluster: 'member-a' });
const counted = async (metrics: Metrics, rule: string): Promise<number> => (await metrics.inhibited.get()).values.find((v) => v.labels.rule === rule)?.value ?? 0;
const delivered = (r: Recorder): string[] => r.sent.flatMap((s) => s.alerts).sort();

let pipelines: Pipeline[] = [];
afterEach(async () => {
  await Promise.all(pipelines.map((p) => p.stop()));
  pipelines = [];
});

/** A pipeline with inhibition on the store at `path`, as the agent's thread runs it. */
function setup(path: string, snapshot: () => Snapshot = () => snap()) {
  const db = openDb({ path });
  const outbox = new Outbox(db);
  const metrics = createMetrics({ defaultMetrics: false });
  const webhook = new Recorder('webhook');
  const slack = new Recorder('slack');
  const inhibition = new Inhibition({ store: new InhibitSourceStore(db), metrics });
  const pipeline = new Pipeline({ outbox, snapshot, notifiers: { webhook, slack }, renderer: () => ({ render: () => 'text' }), metrics, inhibition });
  pipelines.push(pipeline);
  pipeline.start();
  const accept = (alerts: Alert[]): void => {
    outbox.accept('alertmanager', payload(alerts), alerts.length, Date.now());
    pipeline.accepted();
  };
  return { outbox, metrics, webhook, slack, pipeline, accept };
}
const storePath = (): string => join(mkdtempSync(join(tmpdir(), 'herald-inhibit-')), 'agent.db');

describe('inhibition in the pipeline', () => {
  it('a source and its targets in one request: the targets are muted, recorded in history and counted', async () => {
    const { webhook, slack, outbox, metrics, accept } = setup(storePath());
    accept([{ alertname: 'PodNotReady', node: 'n1', pod: 'a' }, { alertname: 'NodeDown', node: 'n1' }, { alertname: 'PodNotReady', node: 'n1', pod: 'b' }, { alertname: 'PodNotReady', node: 'n2', pod: 'c' }]);
    await until('two notifications delivered', () => delivered(webhook).length === 2, wait);
    expect(delivered(webhook)).toEqual(['NodeDown@n1:firing', 'PodNotReady@n2:firing']);
    const inhibited = outbox.history({ outcome: 'inhibited', limit: 10 });
    expect(inhibited).toEqual([
      expect.objectContaining({ target: 'ops/webhook', groupKey: '["PodNotReady"]', outcome: 'inhibited', attempts: 0, notifications: 2, answer: 'inhibited by node-down' }),
    ]);
    expect(inhibited[0]?.fingerprints.sort()).toEqual([fp({ alertname: 'PodNotReady', node: 'n1', pod: 'a' }), fp({ alertname: 'PodNotReady', node: 'n1', pod: 'b' })].sort());
    expect(await counted(metrics, 'node-down')).toBe(2);
    expect((await metrics.inhibitSources.get()).values[0]?.value).toBe(1);
    expect(slack.sent).toEqual([]);
  });

  it('a resolved target is muted too; once the source resolves, a target firing again is delivered', async () => {
    const { webhook, metrics, outbox, accept } = setup(storePath());
    accept([{ alertname: 'NodeDown', node: 'n1' }]);
    await until('the NodeDown notification delivered', () => delivered(webhook).length === 1, wait);
    accept([{ alertname: 'PodNotReady', node: 'n1' }]);
    accept([{ alertname: 'PodNotReady', node: 'n1', status: 'resolved' }]);
    await until('two inhibited in the history', () => outbox.history({ outcome: 'inhibited', limit: 5 }).length === 2, wait);
    expect(await counted(metrics, 'node-down')).toBe(2);
    accept([{ alertname: 'NodeDown', node: 'n1', status: 'resolved' }]);
    accept([{ alertname: 'PodNotReady', node: 'n1' }]);
    await until('PodNotReady@n1 delivered', () => delivered(webhook).includes('PodNotReady@n1:firing'), wait);
    expect(delivered(webhook)).toEqual(['NodeDown@n1:firing', 'NodeDown@n1:resolved', 'PodNotReady@n1:firing']);
    expect((await metrics.inhibitSources.get()).values[0]?.value).toBe(0);
  });

  it('the sources outlive a restart', async () => {
    const path = storePath();
    const first = setup(path);
    first.accept([{ alertname: 'NodeDown', node: 'n1' }]);
    await until('the NodeDown notification delivered', () => delivered(first.webhook).length === 1, wait);
    await first.pipeline.stop();
    const second = setup(path);
    second.accept([{ alertname: 'PodNotReady', node: 'n1' }, { alertname: 'Other', node: 'n1' }]);
    await until('one notification delivered after the restart', () => delivered(second.webhook).length === 1, wait);
    await until('one inhibited in the history', () => second.outbox.history({ outcome: 'inhibited', limit: 5 }).length === 1, wait);
    expect(delivered(second.webhook)).toEqual(['Other@n1:firing']);
    expect(await counted(second.metrics, 'node-down')).toBe(1);
  });

  it("a tenant's rule mutes only that tenant's receivers", async () => {
    const current = snap({ inhibitRules: [nodeDown({ type: 'tenant', namespace: 'team-a' })] });
    const { webhook, slack, outbox, accept } = setup(storePath(), () => current);
    accept([{ alertname: 'NodeDown', node: 'n1' }, { alertname: 'PodNotReady', node: 'n1', namespace: 'team-a' }]);
    await until('two delivered and one inhibited', () => delivered(webhook).length === 2 && outbox.history({ outcome: 'inhibited', limit: 5 }).length === 1, wait);
    expect(delivered(webhook)).toEqual(['NodeDown@n1:firing', 'PodNotReady@n1:firing']);
    expect(slack.sent).toEqual([]);
    expect(outbox.history({ outcome: 'inhibited', limit: 5 })[0]).toMatchObject({ target: 'team/slack', answer: 'inhibited by node-down' });
  });

  it('a global silence comes first: a silenced notification is not counted as inhibited', async () => {
    const current = snap({ silences: [silence('quiet', G, { matcher: { matchLabels: { pod: 'quiet' } } })] });
    const { webhook, metrics, outbox, accept } = setup(storePath(), () => current);
    accept([{ alertname: 'NodeDown', node: 'n1' }, { alertname: 'PodNotReady', node: 'n1', pod: 'quiet' }]);
    await until('one notification delivered', () => delivered(webhook).length === 1, wait);
    expect(await counted(metrics, 'node-down')).toBe(0);
    expect(outbox.history({ outcome: 'inhibited', limit: 5 })).toEqual([]);
  });
});

describe('Inhibition', () => {
  const note = (labels: Record<string, string>, extra: Partial<Notification> = {}): Notification => ({
    fingerprint: fingerprintOf(labels),
    status: 'firing',
    labels,
    annotations: {},
    startsAt: '',
    endsAt: '',
    generatorURL: '',
    source: 'alertmanager',
    ...extra,
  });
  const target = [{ key: 'ops/webhook', receiver: 'ops', channel: 'webhook' as const }];
  const fresh = (): Inhibition => new Inhibition({ store: new InhibitSourceStore(openDb({ path: ':memory:' })) });

  it('a source not sent again within sourceTTL stops muting', () => {
    const current = snap({ settings: settings({ inhibition: { sourceTTL: '1h' } }) });
    const inhibition = fresh();
    inhibition.observe([note({ alertname: 'NodeDown' })], current, 0);
    const pod = note({ alertname: 'PodNotReady' });
    expect(inhibition.sift(pod, target, current, 3_600_000)).toEqual([]);
    expect(inhibition.sift(pod, target, current, 3_600_001)).toEqual(target);
  });

  it('keeps at most maxSources, dropping the least recently sent', () => {
    const current = snap({ settings: settings({ inhibition: { maxSources: 2 } }) });
    const inhibition = fresh();
    inhibition.observe([note({ alertname: 'NodeDown', node: 'n1' })], current, 1);
    inhibition.observe([note({ alertname: 'NodeDown', node: 'n2' })], current, 2);
    inhibition.observe([note({ alertname: 'NodeDown', node: 'n1' })], current, 3);
    inhibition.observe([note({ alertname: 'NodeDown', node: 'n3' })], current, 4);
    const muted = (node: string): boolean => inhibition.sift(note({ alertname: 'PodNotReady', node }), target, current, 5).length === 0;
    expect(['n1', 'n2', 'n3'].map(muted)).toEqual([true, false, true]);
  });

  it('Kubernetes Events and audit events are never sources', () => {
    const current = snap({ inhibitRules: [inhibitRule('any', G, { sourceMatch: { matchLabels: { alertname: 'NodeDown' } }, targetMatch: {} })] });
    const inhibition = fresh();
    inhibition.observe([note({ alertname: 'NodeDown' }, { source: 'event' }), note({ alertname: 'NodeDown', x: '1' }, { source: 'audit' })], current, 0);
    expect(inhibition.sift(note({ alertname: 'PodNotReady' }), target, current, 1)).toEqual(target);
  });

  it('a failed commit writes nothing, and counts nothing', async () => {
    const db = openDb({ path: ':memory:' });
    const metrics = createMetrics({ defaultMetrics: false });
    const current = snap();
    const inhibition = new Inhibition({ store: new InhibitSourceStore(db), metrics });
    inhibition.observe([note({ alertname: 'NodeDown' })], current, 0);
    inhibition.sift(note({ alertname: 'PodNotReady' }), target, current, 0);
    expect(() =>
      inhibition.commit(() => {
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect(new InhibitSourceStore(db).load()).toEqual([]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM history').get()).toEqual({ n: 0 });
    expect(await counted(metrics, 'node-down')).toBe(0);
  });
});
