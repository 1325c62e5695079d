import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PagerDutyNotifier } from './pagerduty.js';
import { deliveryErrorOf, sampleData, sendContext } from '../../../../test/wire/context.js';
import { startFakePagerDuty, type FakePagerDuty } from '../../../../test/wire/pagerduty.js';
import { chineseText, textRenderer } from '../../../../test/wire/text.js';
import type { TemplateData } from '../../model/notification.js';
import type { ReceiverBlock } from '../notifier.js';

const KEY = 'R0UTINGKEYSECRETabcdefghijklmno1';

let pd: FakePagerDuty;

beforeEach(async () => {
  pd = await startFakePagerDuty();
});
afterEach(async () => {
  await pd.close();
});

function ctx(spec: Partial<ReceiverBlock<'pagerduty'>> = {}, data: TemplateData = sampleData()) {
  const c = sendContext({ channel: 'pagerduty', spec: { routingKey: { value: KEY }, ...spec }, config: { apiUrl: `${pd.apiUrl}/` } });
  return { ...c, data };
}

function resolved(data: TemplateData): TemplateData {
  return { ...data, status: 'resolved', alerts: data.alerts.map((a) => ({ ...a, status: 'resolved' as const, endsAt: '2024-05-01T10:30:00Z' })) };
}

describe('PagerDutyNotifier', () => {
  it('triggers then resolves the same incident for a group that fires then resolves', async () => {
    const fired = await new PagerDutyNotifier().send(ctx());
    expect(pd.incidents).toEqual([expect.objectContaining({ status: 'triggered', severity: 'critical', summary: 'title:default:2' })]);
    expect(fired.answer).toMatch(/^trigger: HTTP 202 success: Event processed \(dedup_key herald-[0-9a-f]{40}\)$/);
    // The same group again (a later batch) adds to the open incident instead of opening another.
    await new PagerDutyNotifier().send(ctx());
    const closed = await new PagerDutyNotifier().send(ctx({}, resolved(sampleData())));
    expect(pd.incidents).toHaveLength(1);
    expect(pd.incidents[0]).toMatchObject({ status: 'resolved', triggers: 2 });
    expect(pd.events.map((e) => e['event_action'])).toEqual(['trigger', 'trigger', 'resolve']);
    expect(closed.answer).toMatch(/^resolve: HTTP 202/);
    expect(pd.events[2]).toEqual({ routing_key: KEY, event_action: 'resolve', dedup_key: pd.incidents[0]?.dedupKey });
    expect(closed.answer).not.toContain(KEY);
  });

  it('keeps groups apart: another group opens its own incident', async () => {
    const other = { ...sampleData(), groupLabels: { namespace: 'prod', alertname: 'KubeNodeNotReady' } };
    await new PagerDutyNotifier().send(ctx());
    await new PagerDutyNotifier().send(ctx({}, other));
    await new PagerDutyNotifier().send(ctx({}, resolved(other)));
    expect(pd.incidents.map((i) => i.status)).toEqual(['triggered', 'resolved']);
  });

  it('sends the PD-CEF payload: source, severity from labels, timestamp, details with the text and alerts', async () => {
    const data = sampleData();
    // One warning and one info alert: the most severe firing one decides.
    data.alerts.forEach((a, i) => (a.labels = { ...a.labels, severity: i === 0 ? 'info' : 'Warning' }));
    await new PagerDutyNotifier().send(ctx({ component: 'api', group: 'prod', class: 'crashloop' }, data));
    const payload = pd.events[0]?.['payload'] as Record<string, unknown>;
    expect(payload).toMatchObject({ summary: 'title:default:2', source: 'east', severity: 'warning', timestamp: '2024-05-01T10:00:00Z', component: 'api', group: 'prod', class: 'crashloop' });
    expect(payload['custom_details']).toMatchObject({ cluster: 'east', receiver: 'ops', num_firing: 2, firing: 'text:default:2' });
    expect((payload['custom_details'] as { alerts: unknown[] }).alerts).toHaveLength(2);
    expect(pd.events[0]?.['client']).toBe('Herald');
  });

  it('cuts a long Chinese summary to 1024 characters, whole characters only', async () => {
    const c = { ...ctx(), templates: textRenderer('正文', chineseText(80)) };
    await new PagerDutyNotifier().send(c);
    const summary = (pd.events[0]?.['payload'] as { summary: string }).summary;
    expect([...summary]).toHaveLength(1024);
    expect(summary.endsWith('…')).toBe(true);
    expect(chineseText(80).startsWith(summary.slice(0, -1))).toBe(true);
  });

  it('keeps the event under 512 KB by dropping the alert list, then cutting the text', async () => {
    const huge = chineseText(12_000);
    const c = { ...ctx(), templates: textRenderer(huge) };
    await new PagerDutyNotifier().send(c);
    expect(Buffer.byteLength(pd.requests[0]?.body ?? '')).toBeLessThanOrEqual(512 * 1024);
    const details = (pd.events[0]?.['payload'] as { custom_details: { alerts: unknown; firing: string } }).custom_details;
    expect(details.alerts).toBe('2 alerts left out: the event would pass 512 KB');
    expect(details.firing.endsWith('… (truncated)')).toBe(true);
    expect(huge.startsWith(details.firing.slice(0, -'… (truncated)'.length))).toBe(true);
  });

  it('fails terminally with PagerDuty’s errors for a routing key of the wrong length, without the key', async () => {
    const c = sendContext({ channel: 'pagerduty', spec: { routingKey: { value: 'short-SECRET' } }, config: { apiUrl: pd.apiUrl } });
    const err = await deliveryErrorOf(new PagerDutyNotifier().send(c));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/HTTP 400 .*Event object is invalid.*Length of 'routing_key' is incorrect/);
    expect(err.message).not.toContain('short-SECRET');
  });

  it('retries a 429 after 30 seconds and a 500', async () => {
    pd.mode = 'ratelimited';
    const limited = await deliveryErrorOf(new PagerDutyNotifier().send(ctx()));
    expect(limited).toMatchObject({ retryable: true, retryAfterMs: 30_000 });
    expect(limited.message).toMatch(/HTTP 429 .*arriving too quickly/);
    pd.mode = 'unavailable';
    const down = await deliveryErrorOf(new PagerDutyNotifier().send(ctx()));
    expect(down.retryable).toBe(true);
    expect(down.message).toMatch(/HTTP 500/);
    expect(pd.incidents).toHaveLength(0);
  });
});
