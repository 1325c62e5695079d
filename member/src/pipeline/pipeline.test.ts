import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Channel, Settings } from '@herald/shared';
import { buildSnapshot, type Snapshot } from '../config/snapshot.js';
import { DeliveryError, type Notifier, type SendContext } from '../notify/notifier.js';
import { sendInOrder } from '../notify/sequence.js';
import { receiver, config } from '../../../test/support/objects.js';
import { until } from '../../../test/support/eventually.js';
import { openDb } from '../store/schema.js';
import { Outbox } from '../store/outbox.js';
import { Pipeline } from './pipeline.js';

const settings = (spec: Settings['spec']): Settings => ({ apiVersion: 'herald.dev/v1alpha1', kind: 'Settings', metadata: { name: 'default' }, spec });
const snap = (extra: Settings['spec'] = {}): Snapshot =>
  buildSnapshot({
    settings: settings({ batchMaxWait: '0s', groupLabels: ['alertname'], cluster: { name: 'member-a' }, delivery: { initialBackoff: '10ms', maxBackoff: '40ms' }, ...extra }),
    receivers: [receiver('ops', { type: 'global' }, { webhook: { url: 'http://ops.invalid/' } }), receiver('team', { type: 'tenant', namespace: 'team-a' }, { slack: { channels: ['#t'] } })],
    configs: [config('slack', { type: 'default' }, { slack: { slackTokenSecret: { value: 'x' } } })],
  });

/** A notifier that records what it was asked to send and fails while `down` says so. */
class Recorder implements Notifier {
  sent: { receiver: string; alerts: string[]; cluster: string }[] = [];
  calls = 0;
  down: (() => DeliveryError | undefined) | undefined;
  constructor(readonly channel: Channel) {}
  send(ctx: SendContext): Promise<{ answer: string; messages: number }> {
    this.calls++;
    const error = this.down?.();
    if (error) return Promise.reject(error);
    this.sent.push({ receiver: ctx.target.receiver, alerts: ctx.data.alerts.map((a) => a.labels['alertname'] ?? ''), cluster: ctx.data.cluster });
    return Promise.resolve({ answer: 'HTTP 200 ok', messages: 1 });
  }
}

const renderer = () => ({ render: () => 'text' });
/** Polled every 5 ms: a test looks at one receiver while another's retries, milliseconds apart, go on. */
const wait = { ms: 10_000, every: 5 };
const payload = (alerts: Record<string, string>[]): string => JSON.stringify({ version: '4', status: 'firing', alerts: alerts.map((labels) => ({ labels, startsAt: '2026-11-21T12:00:00Z' })) });

let pipelines: Pipeline[] = [];
afterEach(async () => {
  await Promise.all(pipelines.map((p) => p.stop()));
  pipelines = [];
});

function setup(opts: { path?: string; snapshot?: Snapshot } = {}): { outbox: Outbox; webhook: Recorder; slack: Recorder; pipeline: Pipeline; accept: (body: string, n: number) => void } {
  const outbox = new Outbox(openDb({ path: opts.path ?? ':memory:' }));
  const webhook = new Recorder('webhook');
  const slack = new Recorder('slack');
  const current = opts.snapshot ?? snap();
  const pipeline = new Pipeline({ outbox, snapshot: () => current, notifiers: { webhook, slack }, renderer });
  pipelines.push(pipeline);
  const accept = (body: string, n: number): void => {
    outbox.accept('alertmanager', body, n, Date.now());
    pipeline.accepted();
  };
  return { outbox, webhook, slack, pipeline, accept };
}

describe('Pipeline', () => {
  it('delivers each notification to every receiver it routes to, grouped, stamped with the cluster', async () => {
    const { webhook, slack, pipeline, accept, outbox } = setup();
    pipeline.start();
    accept(payload([{ alertname: 'A', namespace: 'team-a' }, { alertname: 'A', namespace: 'team-a', pod: 'p2' }, { alertname: 'B' }]), 3);
    await until('two webhook sends and one Slack send', () => webhook.sent.length === 2 && slack.sent.length === 1, wait);
    expect(webhook.sent.map((s) => s.alerts).sort()).toEqual([['A', 'A'], ['B']]);
    expect(slack.sent).toEqual([{ receiver: 'team', alerts: ['A', 'A'], cluster: 'member-a' }]);
    expect(outbox.history({ limit: 10 }).map((h) => h.outcome)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(pipeline.depth()).toEqual({ inbox: 0, pending: 0, batches: 0 });
  });

  it('a dead receiver gets everything once back, while another keeps receiving meanwhile', async () => {
    const { webhook, slack, pipeline, accept, outbox } = setup();
    let downFor = 5;
    slack.down = () => (downFor-- > 0 ? new DeliveryError('HTTP 503', { retryable: true, why: { kind: 'status', status: 503 } }) : undefined);
    pipeline.start();
    for (let i = 0; i < 4; i++) accept(payload([{ alertname: `A${i}`, namespace: 'team-a' }]), 1);
    // The webhook receiver is not held up by the failing Slack queue.
    await until('four webhook sends', () => webhook.sent.length === 4, wait);
    expect(slack.sent.length).toBe(0);
    await until('four Slack sends', () => slack.sent.length === 4, wait);
    expect(slack.sent.map((s) => s.alerts[0])).toEqual(['A0', 'A1', 'A2', 'A3']);
    const retries = outbox.history({ target: 'team/slack', outcome: 'retrying', limit: 100 });
    expect(retries.length).toBe(5);
    expect(new Set(retries.map((h) => h.reason))).toEqual(new Set(['server-error']));
    expect(outbox.history({ target: 'team/slack', outcome: 'delivered', limit: 1 })[0]?.reason).toBeUndefined();
  });

  it('records a terminal failure once and does not retry it', async () => {
    const { slack, pipeline, accept, outbox } = setup();
    slack.down = () => new DeliveryError('Slack: channel_not_found', { retryable: false, why: { kind: 'api', api: 'slack', code: 'channel_not_found' } });
    pipeline.start();
    accept(payload([{ alertname: 'X', namespace: 'team-a' }]), 1);
    await until('one team/slack history entry', () => outbox.history({ target: 'team/slack', limit: 5 }).length === 1, wait);
    await new Promise((r) => setTimeout(r, 100));
    expect(slack.calls).toBe(1);
    expect(outbox.history({ target: 'team/slack', limit: 5 })[0]).toMatchObject({ outcome: 'failed', reason: 'client-error', answer: 'Slack: channel_not_found', fingerprints: [expect.stringMatching(/^[0-9a-f]{16}$/)] });
  });

  it('reports delivery health per target: totals, latest outcomes and the latest error', async () => {
    const { webhook, pipeline, accept, outbox } = setup();
    let bad = 1;
    webhook.down = () => (bad-- > 0 ? new DeliveryError('HTTP 400 no such hook', { retryable: false, why: { kind: 'status', status: 400 } }) : undefined);
    pipeline.start();
    accept(payload([{ alertname: 'A' }]), 1);
    await until('one history entry', () => outbox.history({ limit: 10 }).length === 1, wait);
    accept(payload([{ alertname: 'B' }, { alertname: 'B', pod: 'p' }]), 2);
    await until('one webhook send', () => webhook.sent.length === 1, wait);
    const health = outbox.health().get('ops/webhook');
    expect(health).toMatchObject({ delivered: 2, failed: 1, pending: 0, lastError: 'HTTP 400 no such hook' });
    expect(health?.lastSuccessAt).toBeGreaterThanOrEqual(health?.lastFailureAt ?? Infinity);
    expect(outbox.health().has('team/slack')).toBe(false);
  });

  it('gives up after maxAttempts and says so', async () => {
    const { webhook, pipeline, accept, outbox } = setup({ snapshot: snap({ delivery: { maxAttempts: 3, initialBackoff: '1ms', maxBackoff: '2ms' } }) });
    webhook.down = () => new DeliveryError('connect ECONNREFUSED', { retryable: true, why: { kind: 'thrown', error: { code: 'ECONNREFUSED' } } });
    pipeline.start();
    accept(payload([{ alertname: 'X' }]), 1);
    await until('one failed history entry', () => outbox.history({ outcome: 'failed', limit: 5 }).length === 1, wait);
    expect(webhook.calls).toBe(3);
    expect(outbox.history({ outcome: 'failed', limit: 1 })[0]).toMatchObject({ reason: 'network', answer: 'gave up after 3 attempts: connect ECONNREFUSED' });
  });

  it('does not send the same notification twice within the dedup window', async () => {
    const { webhook, pipeline, accept, outbox } = setup();
    pipeline.start();
    accept(payload([{ alertname: 'A' }]), 1);
    await until('one webhook send', () => webhook.sent.length === 1, wait);
    accept(payload([{ alertname: 'A' }, { alertname: 'A' }]), 2);
    accept(payload([{ alertname: 'A', extra: 'changed labels: a different alert' }]), 1);
    await until('two webhook sends', () => webhook.sent.length === 2, wait);
    await new Promise((r) => setTimeout(r, 100));
    expect(webhook.sent.length).toBe(2);
    expect(pipeline.depth()).toEqual({ inbox: 0, pending: 0, batches: 0 });
    expect(outbox.history({ limit: 10 }).length).toBe(2);
  });

  it('splits a group at batchMaxSize', async () => {
    const { webhook, pipeline, accept } = setup({ snapshot: snap({ batchMaxSize: 2, batchMaxWait: '50ms' }) });
    pipeline.start();
    accept(payload([1, 2, 3, 4, 5].map((i) => ({ alertname: 'A', i: String(i) }))), 5);
    await until('five alerts sent to the webhook', () => webhook.sent.reduce((n, s) => n + s.alerts.length, 0) === 5, wait);
    expect(webhook.sent.map((s) => s.alerts.length).sort()).toEqual([1, 2, 2]);
  });

  it('throttles a receiver channel to its limit, delivering everything in order without dropping', async () => {
    const { webhook, pipeline, accept } = setup({ snapshot: snap({ options: { webhook: { throttle: { threshold: 2, unit: '200ms' } } } }) });
    const times: number[] = [];
    const send = webhook.send.bind(webhook);
    webhook.send = (ctx) => (times.push(Date.now()), send(ctx));
    pipeline.start();
    for (let i = 0; i < 6; i++) accept(payload([{ alertname: `T${i}` }]), 1);
    await until('six webhook sends', () => webhook.sent.length === 6, { ...wait, ms: 5000 });
    expect(webhook.sent.map((s) => s.alerts[0])).toEqual(['T0', 'T1', 'T2', 'T3', 'T4', 'T5']);
    // 2 at once, then one per 100 ms: the sixth goes out no sooner than ~400 ms after the first.
    expect((times[5] as number) - (times[0] as number)).toBeGreaterThanOrEqual(350);
  });

  it('resumes after a restart: accepted work that was never routed or sent is delivered', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'herald-')), 'agent.db');
    const first = setup({ path });
    // The first agent accepts and dies before it routes anything.
    first.outbox.accept('alertmanager', payload([{ alertname: 'A' }, { alertname: 'B' }]), 2, Date.now());
    await first.pipeline.stop();
    const second = setup({ path });
    second.pipeline.start();
    await until('two webhook sends after the restart', () => second.webhook.sent.length === 2, wait);
    expect(second.webhook.sent.map((s) => s.alerts[0]).sort()).toEqual(['A', 'B']);
  });

  it('resumes a half-done send where it stopped: parts already accepted are not sent again, even after a restart', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'herald-progress-')), 'db');
    /** A webhook that takes three parts; the second fails while `down` holds. */
    class ThreeParts implements Notifier {
      readonly channel = 'webhook' as const;
      sent: string[] = [];
      down = true;
      async send(ctx: SendContext): Promise<{ answer: string; messages: number }> {
        const answers = await sendInOrder(['p1', 'p2', 'p3'], (part) => {
          if (part === 'p2' && this.down) return Promise.reject(new DeliveryError('HTTP 503', { retryable: true, why: { kind: 'status', status: 503 } }));
          this.sent.push(part);
          return Promise.resolve(`ok ${part}`);
        }, { progress: ctx.progress, scope: 'webhook' });
        return { answer: answers.join(', '), messages: answers.length };
      }
    }
    const current = snap({ delivery: { initialBackoff: '50ms', maxBackoff: '50ms' } });
    const first = new ThreeParts();
    const outbox = new Outbox(openDb({ path }));
    const p1 = new Pipeline({ outbox, snapshot: () => current, notifiers: { webhook: first }, renderer });
    p1.start();
    outbox.accept('alertmanager', payload([{ alertname: 'A' }]), 1, Date.now());
    p1.accepted();
    await until('a retrying history entry', () => outbox.history({ limit: 5 }).some((h) => h.outcome === 'retrying'), wait);
    await p1.stop();
    expect(first.sent).toEqual(['p1']);
    // A new process: the batch's progress comes from the store.
    const second = new ThreeParts();
    second.down = false;
    const outbox2 = new Outbox(openDb({ path }));
    const p2 = new Pipeline({ outbox: outbox2, snapshot: () => current, notifiers: { webhook: second }, renderer });
    pipelines.push(p2);
    p2.start();
    await until('a delivered history entry', () => outbox2.history({ limit: 5 }).some((h) => h.outcome === 'delivered'), wait);
    expect(second.sent).toEqual(['p2', 'p3']);
    expect(outbox2.history({ outcome: 'delivered', limit: 1 })[0]?.answer).toBe('ok p1 (sent by an earlier attempt), ok p2, ok p3');
  });
});
