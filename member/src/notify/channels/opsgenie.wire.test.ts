import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpsgenieNotifier } from './opsgenie.js';
import { deliveryErrorOf, sampleData, sendContext } from '../../../../test/wire/context.js';
import { startFakeOpsgenie, type FakeOpsgenie } from '../../../../test/wire/opsgenie.js';
import { chineseText, textRenderer } from '../../../../test/wire/text.js';
import type { TemplateData } from '../../model/notification.js';
import type { ReceiverBlock } from '../notifier.js';

const KEY = 'eb243592-faa2-4ba2-a551-SECRET5c889';

let og: FakeOpsgenie;

beforeEach(async () => {
  og = await startFakeOpsgenie({ apiKey: KEY });
});
afterEach(async () => {
  await og.close();
});

function ctx(spec: Partial<ReceiverBlock<'opsgenie'>> = {}, opts: { data?: TemplateData; key?: string } = {}) {
  const c = sendContext({ channel: 'opsgenie', spec: { ...spec }, config: { apiKey: { value: opts.key ?? KEY }, apiUrl: og.apiUrl } });
  return { ...c, data: opts.data ?? sampleData() };
}

function resolved(data: TemplateData): TemplateData {
  return { ...data, status: 'resolved', alerts: data.alerts.map((a) => ({ ...a, status: 'resolved' as const })) };
}

describe('OpsgenieNotifier', () => {
  it('creates then closes the same alert, by alias, for a group that fires then resolves', async () => {
    const created = await new OpsgenieNotifier().send(ctx());
    await new OpsgenieNotifier().send(ctx());
    expect(og.alerts).toHaveLength(1);
    expect(og.alerts[0]).toMatchObject({ status: 'open', count: 2, priority: 'P1', message: 'title:default:2' });
    expect(created.answer).toMatch(/^opsgenie create alert herald-[0-9a-f]{40}: HTTP 202 Request will be processed \(requestId [0-9a-f-]{36}\)$/);
    const closed = await new OpsgenieNotifier().send(ctx({}, { data: resolved(sampleData()) }));
    expect(og.alerts[0]?.status).toBe('closed');
    const close = og.requests.at(-1);
    expect(close?.url).toBe(`/v2/alerts/${og.alerts[0]?.alias}/close?identifierType=alias`);
    expect(JSON.parse(close?.body ?? '{}')).toEqual({ source: 'herald/east', note: 'Every alert of the group is resolved.' });
    expect(closed.answer).toMatch(/^opsgenie close alert herald-/);
    expect(og.requests.every((r) => r.headers.authorization === `GenieKey ${KEY}`)).toBe(true);
  });

  it('sends responders, tags, entity, details and the fixed priority', async () => {
    await new OpsgenieNotifier().send(ctx({ responders: [{ type: 'team', name: 'sre' }, { type: 'user', username: 'a@example.com' }], tags: ['k8s', 'east'], entity: 'api', priority: 'P2' }));
    expect(og.alerts[0]?.body).toMatchObject({
      description: 'text:default:2',
      responders: [{ type: 'team', name: 'sre' }, { type: 'user', username: 'a@example.com' }],
      tags: ['k8s', 'east'],
      entity: 'api',
      priority: 'P2',
      source: 'herald/east',
      details: { cluster: 'east', receiver: 'ops', namespace: 'prod', alertname: 'KubePodCrashLooping' },
    });
  });

  it('cuts a Chinese message to 130 characters and the description to 15000, whole characters only', async () => {
    const text = chineseText(1000);
    const c = { ...ctx(), templates: textRenderer(text, chineseText(10)) };
    await new OpsgenieNotifier().send(c);
    const body = og.alerts[0]?.body as { message: string; description: string };
    expect([...body.message]).toHaveLength(130);
    expect(chineseText(10).startsWith(body.message.slice(0, -1))).toBe(true);
    expect([...body.description]).toHaveLength(15_000);
    expect(body.description.endsWith('\n… (truncated)')).toBe(true);
    expect(text.startsWith(body.description.slice(0, -'\n… (truncated)'.length))).toBe(true);
  });

  it('maps the severity label to a priority', async () => {
    const data = sampleData();
    data.alerts.forEach((a) => (a.labels = { ...a.labels, severity: 'warning' }));
    await new OpsgenieNotifier().send(ctx({}, { data }));
    expect(og.alerts[0]?.priority).toBe('P3');
  });

  it('falls back to a message of its own when the title renders blank', async () => {
    await new OpsgenieNotifier().send({ ...ctx(), templates: textRenderer('body', '   ') });
    expect(og.alerts[0]?.message).toBe('[FIRING] 2 alerts in east');
  });

  it('fails terminally with Opsgenie’s 422 errors', async () => {
    const tags = Array.from({ length: 21 }, (_, i) => `t${i}`);
    const err = await deliveryErrorOf(new OpsgenieNotifier().send(ctx({ tags })));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/HTTP 422 .*Request body is not processable.*Tags can not be more than 20/);
  });

  it('fails terminally on a wrong key, which never appears in the error', async () => {
    const wrong = 'wrong-GENIE-key-0000';
    const err = await deliveryErrorOf(new OpsgenieNotifier().send(ctx({}, { key: wrong })));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/HTTP 401 .*Could not authenticate/);
    expect(err.message).not.toContain(wrong);
  });

  it('retries when throttled, after X-RateLimit-Period-In-Sec, and on a 503', async () => {
    og.mode = 'throttled';
    const err = await deliveryErrorOf(new OpsgenieNotifier().send(ctx()));
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 60_000 });
    expect(err.message).toMatch(/HTTP 429 .*too many requests/);
    og.mode = 'unavailable';
    const down = await deliveryErrorOf(new OpsgenieNotifier().send(ctx()));
    expect(down.retryable).toBe(true);
    expect(og.alerts).toHaveLength(0);
  });

  it('waits without a Config (retryable: one created later delivers)', async () => {
    const c = sendContext({ channel: 'opsgenie', spec: {} });
    const err = await deliveryErrorOf(new OpsgenieNotifier().send(c));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/^no opsgenie Config selected for receiver .*: create a type=default opsgenie Config or fix opsgenieConfigSelector$/);
  });
});
