import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SmsNotifier } from './sms.js';
import { deliveryErrorOf, sendContext } from '../../../../test/wire/context.js';
import { startFakeAliyun, type FakeAliyun } from '../../../../test/wire/sms-aliyun.js';
import { startFakeTencent, type FakeTencent } from '../../../../test/wire/sms-tencent.js';
import type { ReceiverBlock } from '../notifier.js';

let aliyun: FakeAliyun;
let tencent: FakeTencent;

beforeEach(async () => {
  aliyun = await startFakeAliyun({ accessKeyId: 'LTAI-id', accessKeySecret: 'aliyun-secret' });
  tencent = await startFakeTencent({ secretId: 'AKID-id', secretKey: 'tencent-key', paramMaxLength: 20 });
});
afterEach(async () => {
  await Promise.all([aliyun.close(), tencent.close()]);
});

function ctx(spec: ReceiverBlock<'sms'>, opts: { onlyAliyun?: boolean; options?: Record<string, unknown> } = {}) {
  return sendContext({
    channel: 'sms',
    spec,
    config: {
      defaultProvider: 'aliyun',
      providers: {
        aliyun: { signName: 'Herald', templateCode: 'SMS_1', accessKeyId: { value: 'LTAI-id' }, accessKeySecret: { value: 'aliyun-secret' }, apiUrl: aliyun.apiUrl },
        ...(opts.onlyAliyun
          ? {}
          : {
              tencent: {
                sign: 'Herald',
                templateID: '1',
                smsSdkAppid: '1400000001',
                secretId: { value: 'AKID-id' },
                secretKey: { value: 'tencent-key' },
                apiUrl: tencent.apiUrl,
                paramMaxLength: 20,
              },
            }),
      },
    },
    ...(opts.options ? { options: opts.options } : {}),
  });
}

describe('SmsNotifier provider selection', () => {
  it("uses the Config's defaultProvider when the receiver names none", async () => {
    const result = await new SmsNotifier().send(ctx({ phoneNumbers: ['13800000000'] }));
    expect(aliyun.sends).toHaveLength(1);
    expect(tencent.requests).toHaveLength(0);
    expect(result.answer).toMatch(/^aliyun: /);
  });

  it("uses the receiver's provider over the default", async () => {
    const result = await new SmsNotifier().send(ctx({ phoneNumbers: ['13800000000'], provider: 'tencent' }));
    expect(tencent.sends.map((s) => s.numbers)).toEqual([['+8613800000000']]);
    expect(aliyun.requests).toHaveLength(0);
    expect(result.answer).toMatch(/^tencent: /);
  });

  it('fails terminally, naming the missing provider block, when the chosen provider is not configured', async () => {
    const err = await deliveryErrorOf(new SmsNotifier().send(ctx({ phoneNumbers: ['13800000000'], provider: 'huawei' })));
    expect(err.retryable).toBe(false);
    expect(err.message).toBe('sms: the receiver names provider huawei, but Config default has no spec.sms.providers.huawei');
  });

  it("renders the receiver's template, else the channel option's", async () => {
    await new SmsNotifier().send(ctx({ phoneNumbers: ['13800000000'], template: 'my.sms' }, { options: { template: 'opt.sms' } }));
    await new SmsNotifier().send(ctx({ phoneNumbers: ['13800000000'] }, { options: { template: 'opt.sms' } }));
    expect(aliyun.sends.map((s) => s.text)).toEqual(['text:my.sms:2', 'text:opt.sms:2']);
  });

  it('retries later when a credential cannot be resolved, naming the field and sending nothing', async () => {
    const c = ctx({ phoneNumbers: ['13800000000'] }, { onlyAliyun: true });
    const aliyunBlock = c.target.config?.providers.aliyun;
    if (aliyunBlock) aliyunBlock.accessKeySecret = { valueFrom: { secretKeyRef: { name: 'sms', key: 'secret' } } };
    const err = await deliveryErrorOf(new SmsNotifier().send(c));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/spec\.sms\.providers\.aliyun\.accessKeySecret/);
    expect(aliyun.requests).toHaveLength(0);
  });

  it('names what was sent when the deadline passes mid-send', async () => {
    const deadline = new AbortController();
    const c = { ...ctx({ phoneNumbers: Array.from({ length: 1500 }, (_, i) => `1380000${String(i).padStart(4, '0')}`) }), signal: deadline.signal };
    // The deadline passes while the second batch is on the wire.
    aliyun.onRequest = () => {
      if (aliyun.requests.length === 2) deadline.abort(new Error('deadline passed'));
    };
    const err = await deliveryErrorOf(new SmsNotifier().send(c));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/batch 2\/2 \(.*\): aborted: deadline passed; already sent: batch 1\/2/);
  });

  it('stops when the signal aborts', async () => {
    const c = { ...ctx({ phoneNumbers: ['13800000000'] }), signal: AbortSignal.abort(new Error('deadline passed')) };
    const err = await deliveryErrorOf(new SmsNotifier().send(c));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/aborted: deadline passed/);
    expect(aliyun.sends).toHaveLength(0);
  });

  it('fails terminally, naming the field, when there is no number to send to', async () => {
    const err = await deliveryErrorOf(new SmsNotifier().send(ctx({ phoneNumbers: [] })));
    expect(err.retryable).toBe(false);
    expect(err.message).toBe('sms: spec.sms.phoneNumbers is empty');
    expect(aliyun.requests).toHaveLength(0);
  });

  it('fails terminally on an empty rendered message', async () => {
    const c = { ...ctx({ phoneNumbers: ['13800000000'] }), templates: { render: () => '  \n' } };
    const err = await deliveryErrorOf(new SmsNotifier().send(c));
    expect(err.retryable).toBe(false);
    expect(err.message).toBe('sms: the template rendered an empty message');
  });
});
