import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PushoverNotifier } from './pushover.js';
import { deliveryErrorOf, sendContext } from '../../../../test/wire/context.js';
import { startFakePushover, type FakePushover } from '../../../../test/wire/pushover.js';
import { json, startHttpServer } from '../../../../test/wire/http-server.js';
import { chineseText, han, textRenderer, wholeCodePoints } from '../../../../test/wire/text.js';
import type { ReceiverBlock } from '../notifier.js';

const TOKEN = 'azGDORePK8gMaC0QOYAMyEEuzJnyUi';
const ALICE = 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG';
const BOB = 'gznej3rKEVAvPUxu9vvNnqpmZpokzF';

let pushover: FakePushover;

beforeEach(async () => {
  pushover = await startFakePushover({ token: TOKEN, users: { [ALICE]: ['iphone', 'desktop'], [BOB]: [] } });
});
afterEach(async () => {
  await pushover.close();
});

type Profiles = ReceiverBlock<'pushover'>['profiles'];

function ctx(profiles: Profiles, opts: { body?: string; token?: string; apiUrl?: string } = {}) {
  const c = sendContext({
    channel: 'pushover',
    spec: { profiles },
    config: { pushoverTokenSecret: { value: opts.token ?? TOKEN }, apiUrl: opts.apiUrl ?? pushover.apiUrl },
  });
  return opts.body === undefined ? c : { ...c, templates: textRenderer(opts.body) };
}

describe('PushoverNotifier', () => {
  it('sends to each profile with its devices joined by commas, its sound and the rendered title', async () => {
    const result = await new PushoverNotifier().send(
      ctx([{ userKey: ALICE, devices: ['iphone', 'desktop'], sound: 'siren' }, { userKey: BOB, title: 'Ops' }]),
    );
    expect(pushover.messages).toEqual([
      { user: ALICE, message: 'text:default:2', title: 'title:default:2', device: 'iphone,desktop', sound: 'siren' },
      { user: BOB, message: 'text:default:2', title: 'Ops' },
    ]);
    expect(pushover.requests[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(result.messages).toBe(2);
    expect(result.answer).toMatch(/^2 messages: HTTP 200 request [0-9a-f-]{36} … HTTP 200 request /);
  });

  it('keeps 1024 Chinese characters in one message, splits at 1025, and numbers the titles', async () => {
    await new PushoverNotifier().send(ctx([{ userKey: BOB }], { body: han(1024) }));
    await new PushoverNotifier().send(ctx([{ userKey: BOB }], { body: han(1025) }));
    expect(pushover.messages.map((m) => m.message)).toEqual([han(1024), han(1024), han(1)]);
    expect(pushover.messages.map((m) => m.title)).toEqual(['[FIRING:2] 磁盘告警 (east)', '[FIRING:2] 磁盘告警 (east) (1/2)', '[FIRING:2] 磁盘告警 (east) (2/2)']);
  });

  it('splits long Chinese text without cutting a character, losing nothing, in order, with titles within 250', async () => {
    const text = chineseText(60, 900);
    const long = '标题'.repeat(200);
    const c = { ...ctx([{ userKey: BOB }], { body: text }), templates: textRenderer(text, long) };
    await new PushoverNotifier().send(c);
    const parts = pushover.messages.map((m) => m.message);
    expect(parts.length).toBeGreaterThan(2);
    expect(parts.join('')).toBe(text);
    expect(wholeCodePoints(parts)).toBe(true);
    expect(pushover.messages.every((m) => [...(m.title ?? '')].length <= 250)).toBe(true);
    expect(pushover.messages.at(-1)?.title).toMatch(/… \(\d+\/\d+\)$/);
  });

  it('fails terminally on an invalid user key, with Pushover’s errors, still sending to the other profiles', async () => {
    const stranger = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx';
    const err = await deliveryErrorOf(new PushoverNotifier().send(ctx([{ userKey: stranger }, { userKey: BOB }])));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/user …xxxx: pushover messages.json: HTTP 400 .*"user":"invalid".*user identifier is not a valid user/);
    expect(err.reason).toBe('client-error');
    expect(err.message).toMatch(/already sent to user …okzF/);
    expect(pushover.messages.map((m) => m.user)).toEqual([BOB]);
  });

  it('fails terminally on an unknown device', async () => {
    const err = await deliveryErrorOf(new PushoverNotifier().send(ctx([{ userKey: ALICE, devices: ['pager'] }])));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/device name is not valid for user: pager/);
  });

  it('stops at an invalid application token, which never appears in the error', async () => {
    const wrong = 'WrongTokenSECRETvalue123456789';
    const err = await deliveryErrorOf(new PushoverNotifier().send(ctx([{ userKey: ALICE }, { userKey: BOB }], { token: wrong })));
    // Pushover refuses the token with a 400, not a 401: its body says it is the credentials.
    expect({ retryable: err.retryable, reason: err.reason }).toEqual({ retryable: false, reason: 'auth' });
    expect(err.message).toMatch(/application token is invalid/);
    expect(err.message).toMatch(/not attempted: user …okzF/);
    expect(err.message).not.toContain(wrong);
    expect(pushover.requests).toHaveLength(1);
    expect(pushover.requests[0]?.body).toContain(`token=${wrong}`);
  });

  it('retries a spent monthly quota when it resets (X-Limit-App-Reset)', async () => {
    pushover.mode = 'quota';
    pushover.resetAt = Math.floor(Date.now() / 1000) + 600;
    const err = await deliveryErrorOf(new PushoverNotifier().send(ctx([{ userKey: BOB }])));
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBeGreaterThan(590_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(600_000);
    expect(err.message).toMatch(/HTTP 429 .*monthly message limit/);
  });

  it('retries a 429 after its Retry-After, as from a gateway in front of Pushover', async () => {
    const gateway = await startHttpServer({ handler: () => json(429, { message: 'slow down' }, { 'retry-after': '7' }) });
    try {
      const err = await deliveryErrorOf(new PushoverNotifier().send(ctx([{ userKey: BOB }], { apiUrl: gateway.origin })));
      expect(err).toMatchObject({ retryable: true, retryAfterMs: 7000, reason: 'rate-limited' });
    } finally {
      await gateway.close();
    }
  });

  it('retries a 5xx no sooner than 5 seconds', async () => {
    pushover.mode = 'unavailable';
    const err = await deliveryErrorOf(new PushoverNotifier().send(ctx([{ userKey: BOB }])));
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 5000 });
    expect(err.message).toMatch(/HTTP 500/);
  });
});
