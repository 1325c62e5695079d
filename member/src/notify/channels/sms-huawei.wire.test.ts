import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SmsNotifier } from './sms.js';
import { deliveryErrorOf, sendContext } from '../../../../test/wire/context.js';
import { startFakeHuawei, type FakeHuawei } from '../../../../test/wire/sms-huawei.js';
import type { Renderer } from '../notifier.js';

const APP_KEY = 'c8RWg3ggEcyd4D3p94bf3Y7x1Ile';
const APP_SECRET = 'q4Ii87BhST9vcs8wvrzN80SfD7Al';

let huawei: FakeHuawei;

beforeEach(async () => {
  huawei = await startFakeHuawei({ appKey: APP_KEY, appSecret: APP_SECRET });
});
afterEach(async () => {
  await huawei.close();
});

function ctx(phoneNumbers: string[], opts: { appSecret?: string; render?: Renderer['render']; templateParas?: string } = {}) {
  const c = sendContext({
    channel: 'sms',
    spec: { phoneNumbers },
    config: {
      defaultProvider: 'huawei',
      providers: {
        huawei: {
          url: huawei.url,
          signature: '华为云短信测试',
          templateId: '8ff55eac1d0b478ab3c06c3c6a492300',
          sender: 'csms12345678',
          appKey: { value: APP_KEY },
          appSecret: { value: opts.appSecret ?? APP_SECRET },
          ...(opts.templateParas !== undefined ? { templateParas: opts.templateParas } : {}),
        },
      },
    },
  });
  return opts.render ? { ...c, templates: { render: opts.render } } : c;
}

const numbers = (n: number) => Array.from({ length: n }, (_, i) => `+8613800${String(i).padStart(6, '0')}`);

describe('SmsNotifier with Huawei Cloud', () => {
  it('sends with the WSSE UsernameToken, the message as the template variable', async () => {
    const result = await new SmsNotifier().send(ctx(['+8613800000000', '13900000000']));
    expect(huawei.sends).toEqual([
      {
        numbers: ['+8613800000000', '13900000000'],
        params: ['text:default:2'],
        from: 'csms12345678',
        templateId: '8ff55eac1d0b478ab3c06c3c6a492300',
        signature: '华为云短信测试',
      },
    ]);
    expect(result.messages).toBe(2);
    expect(result.answer).toMatch(/^huawei: sent to .*; HTTP 200 \{"code":"000000","description":"Success"/);
  });

  it('puts the fixed templateParas values before the message', async () => {
    await new SmsNotifier().send(ctx(['13800000000'], { templateParas: '["east","P1"]' }));
    expect(huawei.sends[0]?.params).toEqual(['east', 'P1', 'text:default:2']);
  });

  it('names the field when templateParas is not a JSON array of strings, and sends nothing', async () => {
    const err = await deliveryErrorOf(new SmsNotifier().send(ctx(['13800000000'], { templateParas: '{"a":1}' })));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/spec\.sms\.providers\.huawei\.templateParas: must be a JSON array of strings/);
    expect(huawei.requests).toHaveLength(0);
  });

  it('batches 500 numbers per request: 1,001 numbers take three requests', async () => {
    const all = numbers(1001);
    const result = await new SmsNotifier().send(ctx(all));
    expect(huawei.sends.map((s) => s.numbers.length)).toEqual([500, 500, 1]);
    expect(huawei.sends.flatMap((s) => s.numbers)).toEqual(all);
    expect(result.messages).toBe(1001);
  });

  it('splits Chinese text at the 20-character variable cap, whole characters, in order', async () => {
    const text = `告警${'磁盘空间不足'.repeat(7)}`; // 44 characters, no spaces or line breaks to cut at
    await new SmsNotifier().send(ctx(['13800000000'], { render: () => text }));
    const parts = huawei.sends.map((s) => s.params[0] ?? '');
    expect(parts.map((p) => [...p].length)).toEqual([20, 20, 4]);
    expect(parts.join('')).toBe(text);
  });

  it('rejects a wrong app secret terminally (E000101), without the secret or digest in the error', async () => {
    const wrong = 'WrongSecret-9f8e7d6c5b4a';
    const err = await deliveryErrorOf(new SmsNotifier().send(ctx(numbers(600), { appSecret: wrong })));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/E000101/);
    expect(err.message).not.toContain(wrong);
    expect(err.message).not.toContain(APP_KEY);
    expect(huawei.requests).toHaveLength(1);
    expect(err.message).toMatch(/not attempted: batch 2\/2/);
  });

  it('rejects a stale Created with E000110', async () => {
    const err = await deliveryErrorOf(new SmsNotifier({ now: () => Date.now() - 25 * 3600_000 }).send(ctx(['13800000000'])));
    expect(err.message).toMatch(/E000110/);
    expect(err.retryable).toBe(false);
  });

  it("is retryable after the gateway's Retry-After on APIGW.0308 (429)", async () => {
    huawei.mode = 'throttled';
    const err = await deliveryErrorOf(new SmsNotifier().send(ctx(['13800000000'])));
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBe(3000);
    expect(err.message).toMatch(/APIGW\.0308/);
  });

  it('reports numbers refused inside an accepted request, naming what was sent', async () => {
    const err = await deliveryErrorOf(new SmsNotifier().send(ctx(['13800000000', '13800000000', '13900000000'])));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/13800000000: E200041/);
    expect(err.message).toMatch(/already sent: 13800000000, 13800000000, 13900000000/);
    expect(huawei.sends[0]?.numbers).toEqual(['13800000000', '13900000000']);
  });
});
