import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { ADMIN_HEADERS, verifyApp } from '../../../../test/wire/verify-app.js';
import { SmsNotifier } from './sms.js';
import { startFakeTencent, type FakeTencent } from '../../../../test/wire/sms-tencent.js';

const SECRET_KEY = 'tencent-SeCrEt-key-0042';

let tencent: FakeTencent;
let app: FastifyInstance;

beforeEach(async () => {
  tencent = await startFakeTencent({ secretId: 'AKID-verify', secretKey: SECRET_KEY, paramMaxLength: 500 });
  app = verifyApp({ sms: new SmsNotifier() });
});
afterEach(async () => {
  await app.close();
  await tencent.close();
});

function verify(secretKey: string) {
  const tencentBlock = { sign: 'Herald', templateID: '1', smsSdkAppid: '1400000001', secretId: { value: 'AKID-verify' }, secretKey: { value: secretKey }, apiUrl: tencent.apiUrl, paramMaxLength: 500 };
  return app.inject({
    method: 'POST',
    url: '/api/v2/verify',
    headers: ADMIN_HEADERS,
    payload: {
      receiver: { metadata: { name: 'oncall' }, spec: { sms: { phoneNumbers: ['13800000000'] } } },
      config: { spec: { sms: { defaultProvider: 'tencent', providers: { tencent: tencentBlock } } } },
    },
  });
}

describe('POST /api/v2/verify with an sms receiver', () => {
  it("reports Tencent's real answer for the test message", async () => {
    const res = await verify(SECRET_KEY);
    expect(res.statusCode).toBe(200);
    const body = res.json<{ results: { channel: string; ok: boolean; answer: string }[] }>();
    expect(body.results).toHaveLength(1);
    expect(body.results[0]?.answer).toMatch(/^tencent: sent to 13800000000; HTTP 200 \{"Response":\{"SendStatusSet":\[\{"SerialNo":"5000:/);
    // The default text template rendered the verify alert into the template variable.
    expect(tencent.sends[0]?.params[0]).toMatch(/verify/);
  });

  it("reports Tencent's error code, without the secret, as a 502", async () => {
    const res = await verify('not-the-right-key');
    expect(res.statusCode).toBe(502);
    expect(res.body).toMatch(/AuthFailure\.SignatureFailure/);
    expect(res.body).not.toContain('not-the-right-key');
  });
});
