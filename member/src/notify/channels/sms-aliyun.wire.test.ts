import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SmsNotifier } from './sms.js';
import { deliveryErrorOf, sendContext } from '../../../../test/wire/context.js';
import { startFakeAliyun, type FakeAliyun } from '../../../../test/wire/sms-aliyun.js';
import { json, startHttpServer } from '../../../../test/wire/http-server.js';
import type { Renderer } from '../notifier.js';

const KEY_ID = 'LTAI5tFakeKeyId0001';
const SECRET = 'aLiYuN-SeCrEt-7f3c9d';

let aliyun: FakeAliyun;

beforeEach(async () => {
  aliyun = await startFakeAliyun({ accessKeyId: KEY_ID, accessKeySecret: SECRET });
});
afterEach(async () => {
  await aliyun.close();
});

function ctx(phoneNumbers: string[], opts: { secret?: string; render?: Renderer['render']; paramMaxLength?: number; apiUrl?: string } = {}) {
  const c = sendContext({
    channel: 'sms',
    spec: { phoneNumbers },
    config: {
      defaultProvider: 'aliyun',
      providers: {
        aliyun: {
          signName: '阿里云短信测试',
          templateCode: 'SMS_154950909',
          accessKeyId: { value: KEY_ID },
          accessKeySecret: { value: opts.secret ?? SECRET },
          apiUrl: opts.apiUrl ?? aliyun.apiUrl,
          ...(opts.paramMaxLength ? { paramMaxLength: opts.paramMaxLength } : {}),
        },
      },
    },
  });
  return opts.render ? { ...c, templates: { render: opts.render } } : c;
}

const numbers = (n: number) => Array.from({ length: n }, (_, i) => `1380000${String(i).padStart(4, '0')}`);

describe('SmsNotifier with Aliyun', () => {
  it('sends the rendered text as the template code variable, signed with signature v1', async () => {
    const result = await new SmsNotifier().send(ctx(['13800000000', '13900000000']));
    expect(aliyun.sends).toEqual([
      { numbers: ['13800000000', '13900000000'], text: 'text:default:2', signName: '阿里云短信测试', templateCode: 'SMS_154950909' },
    ]);
    expect(result.messages).toBe(2);
    expect(result.answer).toMatch(/^aliyun: sent to 13800000000, 13900000000; HTTP 200 .*"Code":"OK"/);
  });

  it("percent-encodes the signed query as Aliyun does (RFC 3986 reserved characters, spaces, '~')", async () => {
    const text = "CPU*2 (90%) isn't ok! ~a+b=c&d";
    await new SmsNotifier().send(ctx(['13800000000'], { render: () => text, paramMaxLength: 100 }));
    expect(aliyun.sends.map((s) => s.text)).toEqual([text]);
  });

  it('batches 1,000 numbers per request: 1,001 numbers take two requests', async () => {
    const all = numbers(1001);
    const result = await new SmsNotifier().send(ctx(all));
    expect(aliyun.sends.map((s) => s.numbers.length)).toEqual([1000, 1]);
    expect(aliyun.sends.flatMap((s) => s.numbers)).toEqual(all);
    expect(result.messages).toBe(1001);
  });

  it('splits Chinese text at the 35-character variable cap without cutting a character, in order', async () => {
    const text = `告警：${'节点磁盘使用率过高😀'.repeat(8)}`; // 3 + 80 characters, emoji are surrogate pairs
    const result = await new SmsNotifier().send(ctx(['13800000000'], { render: () => text }));
    const parts = aliyun.sends.map((s) => s.text);
    expect(parts.map((p) => [...p].length)).toEqual([35, 35, 13]);
    expect(parts.join('')).toBe(text);
    expect(result.messages).toBe(3);
  });

  it('honours paramMaxLength', async () => {
    await new SmsNotifier().send(ctx(['13800000000'], { render: () => '一二三四五六七八九十', paramMaxLength: 4 }));
    expect(aliyun.sends.map((s) => s.text)).toEqual(['一二三四', '五六七八', '九十']);
  });

  it('rejects a wrong secret terminally, without the secret (or the key id) in the error', async () => {
    const wrong = 'wrong-SeCrEt-value';
    const err = await deliveryErrorOf(new SmsNotifier().send(ctx(['13800000000', '13900000000'], { secret: wrong })));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/SignatureDoesNotMatch/);
    expect(err.message).not.toContain(wrong);
    expect(err.message).not.toContain(KEY_ID);
    expect(aliyun.sends).toHaveLength(0);
  });

  it('rejects a stale timestamp with InvalidTimeStamp.Expired', async () => {
    const stale = new SmsNotifier({ now: () => Date.now() - 20 * 60_000 });
    const err = await deliveryErrorOf(stale.send(ctx(['13800000000'])));
    expect(err.message).toMatch(/InvalidTimeStamp\.Expired/);
    expect(err.retryable).toBe(false);
  });

  it('is retryable a minute later on isv.BUSINESS_LIMIT_CONTROL', async () => {
    aliyun.mode = 'flow-control';
    const err = await deliveryErrorOf(new SmsNotifier().send(ctx(['13800000000'])));
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBe(60_000);
    expect(err.message).toMatch(/isv\.BUSINESS_LIMIT_CONTROL/);
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

  it('is retryable on Throttling.User and stops before the next batch', async () => {
    aliyun.mode = 'throttled';
    const err = await deliveryErrorOf(new SmsNotifier().send(ctx(numbers(1500))));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/Throttling\.User/);
    expect(err.message).toMatch(/not attempted: batch 2\/2/);
    expect(aliyun.requests).toHaveLength(1);
  });

  it('an illegal number fails its batch terminally but the other batches are still sent, and named', async () => {
    const all = numbers(1500);
    aliyun.illegal.add(all[1200] ?? '');
    const err = await deliveryErrorOf(new SmsNotifier().send(ctx(all)));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/batch 2\/2 \(13800001000…13800001499 \(500 numbers\)\): .*isv\.MOBILE_NUMBER_ILLEGAL/);
    expect(err.message).toMatch(/already sent: batch 1\/2 \(13800000000…13800000999 \(1000 numbers\)\)/);
    expect(aliyun.sends.map((s) => s.numbers.length)).toEqual([1000]);
  });
});
