/** POST /api/v2/verify through the real app for the on-call channels: the provider's own answer comes back. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { ADMIN_HEADERS, verifyApp } from '../../../../test/wire/verify-app.js';
import { OpsgenieNotifier } from './opsgenie.js';
import { PagerDutyNotifier } from './pagerduty.js';
import { TelegramNotifier } from './telegram.js';
import { startFakeOpsgenie, type FakeOpsgenie } from '../../../../test/wire/opsgenie.js';
import { startFakePagerDuty, type FakePagerDuty } from '../../../../test/wire/pagerduty.js';
import { startFakeTelegram, type FakeTelegram } from '../../../../test/wire/telegram.js';

const ROUTING_KEY = 'R0UTINGKEYSECRETabcdefghijklmno1';
const GENIE_KEY = 'genie-SECRET-key';
const BOT_TOKEN = '42:bot-SECRET-token';

let pd: FakePagerDuty;
let og: FakeOpsgenie;
let tg: FakeTelegram;
let app: FastifyInstance;

beforeEach(async () => {
  [pd, og, tg] = await Promise.all([startFakePagerDuty(), startFakeOpsgenie({ apiKey: GENIE_KEY }), startFakeTelegram({ token: BOT_TOKEN, chats: { known: { '-1001': -1001 } } })]);
  app = verifyApp({ pagerduty: new PagerDutyNotifier(), opsgenie: new OpsgenieNotifier(), telegram: new TelegramNotifier() });
});
afterEach(async () => {
  await app.close();
  await Promise.all([pd.close(), og.close(), tg.close()]);
});

const verify = (receiver: unknown, config: unknown) => app.inject({ method: 'POST', url: '/api/v2/verify', headers: ADMIN_HEADERS, payload: { receiver: { metadata: { name: 'oncall' }, spec: receiver }, config: { spec: config } } });
type Results = { results: { channel: string; ok: boolean; answer?: string; error?: string }[] };

describe('POST /api/v2/verify for pagerduty, opsgenie and telegram', () => {
  it('reports each provider’s answer for the test notification', async () => {
    const res = await verify(
      { pagerduty: { routingKey: { value: ROUTING_KEY } }, opsgenie: {}, telegram: { channels: ['-1001'] } },
      { pagerduty: { apiUrl: pd.apiUrl }, opsgenie: { apiKey: { value: GENIE_KEY }, apiUrl: og.apiUrl }, telegram: { telegramTokenSecret: { value: BOT_TOKEN }, apiUrl: tg.apiUrl } },
    );
    expect(res.statusCode).toBe(200);
    const answers = Object.fromEntries(res.json<Results>().results.map((r) => [r.channel, r.answer]));
    expect(answers['pagerduty']).toMatch(/^trigger: HTTP 202 success: Event processed \(dedup_key herald-/);
    expect(answers['opsgenie']).toMatch(/^opsgenie create alert herald-[0-9a-f]+: HTTP 202 Request will be processed \(requestId /);
    expect(answers['telegram']).toBe('HTTP 200 message 101');
    // The built-in templates rendered the verify notification.
    expect(pd.incidents[0]?.summary).toMatch(/FIRING/);
    expect(tg.messages[0]?.text).toMatch(/verify|Herald/i);
  });

  it('reports the providers’ refusals as a 502, with no credential in it', async () => {
    const res = await verify(
      { pagerduty: { routingKey: { value: 'too-short-SECRET' } }, opsgenie: {}, telegram: { channels: ['-1001'] } },
      { pagerduty: { apiUrl: pd.apiUrl }, opsgenie: { apiKey: { value: 'wrong-GENIE' }, apiUrl: og.apiUrl }, telegram: { telegramTokenSecret: { value: '1:wrong-BOT' }, apiUrl: tg.apiUrl } },
    );
    expect(res.statusCode).toBe(502);
    const errors = Object.fromEntries(res.json<Results>().results.map((r) => [r.channel, r.error]));
    expect(errors['pagerduty']).toMatch(/HTTP 400 .*Length of 'routing_key' is incorrect/);
    expect(errors['opsgenie']).toMatch(/HTTP 401 .*Could not authenticate/);
    expect(errors['telegram']).toMatch(/HTTP 401 .*Unauthorized/);
    for (const secret of ['too-short-SECRET', 'wrong-GENIE', 'wrong-BOT']) expect(res.body).not.toContain(secret);
  });
});
