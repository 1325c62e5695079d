import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SmsNotifier } from './sms.js';
import { deliveryErrorOf, sendContext } from '../../../../test/wire/context.js';
import { startFakeTencent, type FakeTencent } from '../../../../test/wire/sms-tencent.js';
import { json, startHttpServer } from '../../../../test/wire/http-server.js';
import type { Renderer } from '../notifier.js';

const SECRET_ID = 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE';
const SECRET_KEY = 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE';

let tencent: FakeTencent;

beforeEach(async () => {
  tencent = await startFakeTencent({ secretId: SECRET_ID, secretKey: SECRET_KEY, paramMaxLength: 20 });
});
afterEach(async () => {
  await tencent.close();
});

function ctx(phoneNumbers: string[], opts: { secretKey?: string; render?: Renderer['render']; region?: string; apiUrl?: string } = {}) {
  const c = sendContext({
    channel: 'sms',
    spec: { phoneNumbers },
    config: {
      defaultProvider: 'tencent',
      providers: {
        tencent: {
          sign: '腾讯云',
          templateID: '1234567',
          smsSdkAppid: '1400006666',
          secretId: { value: SECRET_ID },
          secretKey: { value: opts.secretKey ?? SECRET_KEY },
          apiUrl: opts.apiUrl ?? tencent.apiUrl,
          paramMaxLength: 20,
          ...(opts.region ? { region: opts.region } : {}),
        },
      },
    },
  });
  return opts.render ? { ...c, templates: { render: opts.render } } : c;
}

const numbers = (n: number) => Array.from({ length: n }, (_, i) => `+8613800${String(i).padStart(6, '0')}`);

describe('SmsNotifier with Tencent Cloud', () => {
  it('sends with TC3-HMAC-SHA256, adding +86 to bare numbers, in ap-guangzhou by default', async () => {
    const result = await new SmsNotifier().send(ctx(['13800000000', '+85251234567']));
    expect(tencent.sends).toEqual([
      { numbers: ['+8613800000000', '+85251234567'], params: ['text:default:2'], sdkAppId: '1400006666', signName: '腾讯云', templateId: '1234567', region: 'ap-guangzhou' },
    ]);
    expect(result.messages).toBe(2);
    expect(result.answer).toMatch(/^tencent: sent to 13800000000, \+85251234567; HTTP 200 .*"Code":"Ok"/);
  });

  it('uses the configured region', async () => {
    await new SmsNotifier().send(ctx(['13800000000'], { region: 'ap-beijing' }));
    expect(tencent.sends[0]?.region).toBe('ap-beijing');
  });

  it('batches 200 numbers per request: 401 numbers take three requests', async () => {
    const all = numbers(401);
    await new SmsNotifier().send(ctx(all));
    expect(tencent.sends.map((s) => s.numbers.length)).toEqual([200, 200, 1]);
    expect(tencent.sends.flatMap((s) => s.numbers)).toEqual(all);
  });

  it('splits Chinese text at the variable cap, whole characters, in order, per batch', async () => {
    const text = '【生产】集群east：节点node-1磁盘使用率超过百分之九十，请尽快处理。';
    const rest = [...text].length - 20;
    expect(rest).toBeGreaterThan(0);
    const all = numbers(201);
    await new SmsNotifier().send(ctx(all, { render: () => text }));
    // Each batch gets every part in order before the next batch starts.
    expect(tencent.sends.map((s) => [s.numbers.length, [...(s.params[0] ?? '')].length])).toEqual([
      [200, 20],
      [200, rest],
      [1, 20],
      [1, rest],
    ]);
    expect((tencent.sends[0]?.params[0] ?? '') + (tencent.sends[1]?.params[0] ?? '')).toBe(text);
  });

  it('rejects a wrong secret key terminally with AuthFailure.SignatureFailure, without the key in the error', async () => {
    const wrong = 'WrongKey0123456789abcdefEXAMPLE';
    const err = await deliveryErrorOf(new SmsNotifier().send(ctx(numbers(300), { secretKey: wrong })));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/AuthFailure\.SignatureFailure/);
    expect(err.message).not.toContain(wrong);
    expect(err.message).not.toContain(SECRET_ID);
    // The credentials would fail the second batch too: it is not tried, and the error says so.
    expect(tencent.requests).toHaveLength(1);
    expect(err.message).toMatch(/not attempted: batch 2\/2/);
  });

  it('rejects a stale timestamp with AuthFailure.SignatureExpire', async () => {
    const err = await deliveryErrorOf(new SmsNotifier({ now: () => Date.now() - 10 * 60_000 }).send(ctx(['13800000000'])));
    expect(err.message).toMatch(/AuthFailure\.SignatureExpire/);
    expect(err.retryable).toBe(false);
  });

  it('is retryable a second later on RequestLimitExceeded', async () => {
    tencent.mode = 'throttled';
    const err = await deliveryErrorOf(new SmsNotifier().send(ctx(['13800000000'])));
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBe(1000);
    expect(err.message).toMatch(/RequestLimitExceeded/);
  });

  it('is retryable after the Retry-After of a 429 without a code, as from a gateway', async () => {
    const gateway = await startHttpServer({ handler: () => json(429, { message: 'slow down' }, { 'retry-after': '7' }) });
    try {
      const err = await deliveryErrorOf(new SmsNotifier().send(ctx(['13800000000'], { apiUrl: `${gateway.origin}/` })));
      expect(err).toMatchObject({ retryable: true, retryAfterMs: 7000, reason: 'rate-limited' });
    } finally {
      await gateway.close();
    }
  });

  it('reports each refused number from SendStatusSet: a frequency limit is retryable, and the sent ones are named', async () => {
    tencent.statusOf.set('+8613800000001', 'LimitExceeded.PhoneNumberThirtySecondLimit');
    const err = await deliveryErrorOf(new SmsNotifier().send(ctx(['13800000000', '13800000001'])));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/\+8613800000001: LimitExceeded\.PhoneNumberThirtySecondLimit/);
    expect(err.message).toMatch(/already sent: 13800000000, 13800000001/);
    expect(tencent.sends.map((s) => s.numbers)).toEqual([['+8613800000000']]);
  });

  it('an incorrect number is refused terminally', async () => {
    const err = await deliveryErrorOf(new SmsNotifier().send(ctx(['+12'])));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/\+12: InvalidParameterValue\.IncorrectPhoneNumber/);
  });
});
