import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SmsNotifier } from './sms.js';
import { deliveryErrorOf, sendContext } from '../../../../test/wire/context.js';
import { startFakeAws, type FakeAws } from '../../../../test/wire/sms-aws.js';
import type { Renderer } from '../notifier.js';

const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

let aws: FakeAws;

beforeEach(async () => {
  aws = await startFakeAws({ accessKeyId: KEY_ID, secretAccessKey: SECRET, region: 'ap-southeast-1' });
});
afterEach(async () => {
  await aws.close();
});

function ctx(phoneNumbers: string[], opts: { secret?: string; render?: Renderer['render'] } = {}) {
  const c = sendContext({
    channel: 'sms',
    spec: { phoneNumbers },
    config: {
      defaultProvider: 'aws',
      providers: {
        aws: { region: 'ap-southeast-1', accessKeyId: { value: KEY_ID }, secretAccessKey: { value: opts.secret ?? SECRET }, apiUrl: aws.apiUrl },
      },
    },
  });
  return opts.render ? { ...c, templates: { render: opts.render } } : c;
}

describe('SmsNotifier with AWS SNS', () => {
  it('publishes to each number in its own SigV4-signed request', async () => {
    const result = await new SmsNotifier().send(ctx(['+8613800000000', '+14155550100']));
    expect(aws.sends).toEqual([
      { number: '+8613800000000', text: 'text:default:2' },
      { number: '+14155550100', text: 'text:default:2' },
    ]);
    expect(result.messages).toBe(2);
    expect(result.answer).toMatch(/^aws: sent to \+8613800000000, \+14155550100; HTTP 200 MessageId=[0-9a-f-]{36}$/);
  });

  it('signs text with spaces, newlines and reserved characters', async () => {
    const text = 'CPU*2 (90%) isn\'t ok!\n~a+b=c&d 告警';
    await new SmsNotifier().send(ctx(['+14155550100'], { render: () => text }));
    expect(aws.sends).toEqual([{ number: '+14155550100', text }]);
  });

  it('splits text over 1,600 characters at whole characters, in order', async () => {
    const text = `${'节点磁盘告警'.repeat(300)}😀${'x'.repeat(10)}`; // 1,811 characters
    await new SmsNotifier().send(ctx(['+8613800000000'], { render: () => text }));
    expect(aws.sends.map((s) => [...s.text].length)).toEqual([1600, 211]);
    expect(aws.sends.map((s) => s.text).join('')).toBe(text);
  });

  it('rejects a wrong secret terminally (SignatureDoesNotMatch) and stops, without the secret in the error', async () => {
    const wrong = 'wrongSecretKey/ABCDEFGHIJKLMNOPQRSTUVWXYZ01';
    const err = await deliveryErrorOf(new SmsNotifier().send(ctx(['+8613800000000', '+14155550100'], { secret: wrong })));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/SignatureDoesNotMatch/);
    expect(err.message).not.toContain(wrong);
    expect(err.message).not.toContain(encodeURIComponent(wrong));
    expect(err.message).not.toContain(KEY_ID);
    expect(aws.requests).toHaveLength(1);
    expect(err.message).toMatch(/not attempted: batch 2\/2 \(\+14155550100\)/);
  });

  it('rejects a stale X-Amz-Date with "Signature expired"', async () => {
    const err = await deliveryErrorOf(new SmsNotifier({ now: () => Date.now() - 6 * 60_000 }).send(ctx(['+8613800000000'])));
    expect(err.message).toMatch(/Signature expired/);
    expect(err.retryable).toBe(false);
  });

  it('is retryable on Throttling', async () => {
    aws.mode = 'throttled';
    const err = await deliveryErrorOf(new SmsNotifier().send(ctx(['+8613800000000', '+14155550100'])));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/Throttling Rate exceeded/);
    expect(aws.requests).toHaveLength(1);
  });

  it('is retryable on 503 ServiceUnavailable', async () => {
    aws.mode = 'unavailable';
    const err = await deliveryErrorOf(new SmsNotifier().send(ctx(['+8613800000000'])));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/HTTP 503 ServiceUnavailable/);
  });

  it('an opted-out number fails terminally while the others are still sent, and named', async () => {
    aws.optedOut.add('+14155550100');
    const err = await deliveryErrorOf(new SmsNotifier().send(ctx(['+8613800000000', '+14155550100', '+447700900123'])));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/batch 2\/3 \(\+14155550100\): .*InvalidParameter/);
    expect(err.message).toMatch(/already sent: batch 1\/3 \(\+8613800000000\), batch 3\/3 \(\+447700900123\)/);
    expect(aws.sends.map((s) => s.number)).toEqual(['+8613800000000', '+447700900123']);
  });

  it('refuses a number without a country code before sending it, naming the field', async () => {
    const err = await deliveryErrorOf(new SmsNotifier().send(ctx(['13800000000', '+14155550100'])));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/spec\.sms\.phoneNumbers: 13800000000 is not E\.164/);
    expect(aws.sends.map((s) => s.number)).toEqual(['+14155550100']);
  });
});
