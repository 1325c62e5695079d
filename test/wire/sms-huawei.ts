/**
 * A fake Huawei Cloud MSGSMS batchSendSms v1 endpoint that checks requests as the platform does:
 * the WSSE Authorization header, the X-WSSE UsernameToken (PasswordDigest recomputed as Base64 of
 * the hex SHA-256 of Nonce + Created + app secret, Created within the allowed window, nonces used
 * once), a form body with at most 500 comma-joined numbers and template variables within the cap.
 * It answers with the platform's result codes, a status per number, and the API gateway's 429.
 */
import { createHash, randomUUID } from 'node:crypto';
import { json, startHttpServer, type RecordedRequest, type Reply } from './http-server.js';

const HUAWEI_PATH = '/sms/batchSendSms/v1';

interface HuaweiSend {
  numbers: string[];
  params: string[];
  from: string;
  templateId: string;
  signature: string;
}

type HuaweiMode = 'ok' | 'throttled';

export interface FakeHuawei {
  url: string;
  requests: RecordedRequest[];
  sends: HuaweiSend[];
  mode: HuaweiMode;
  close(): Promise<void>;
}

/** How far Created may be from the platform's clock (the documented X-WSSE window). */
const CREATED_WINDOW_MS = 24 * 3600_000;
const AUTHORIZATION = 'WSSE realm="SDP",profile="UsernameToken",type="Appkey"';
const WSSE = /^UsernameToken Username="([^"]*)",PasswordDigest="([^"]*)",Nonce="([^"]*)",Created="([^"]*)"$/;

function result(code: string, description: string, status = 200): Reply {
  return json(status, { code, description });
}

function checkWsse(req: RecordedRequest, keys: { appKey: string; appSecret: string }, nonces: Set<string>): Reply | undefined {
  if (req.headers.authorization !== AUTHORIZATION) return result('E000002', 'realm or profile is not contained in Authorization.', 401);
  const m = WSSE.exec(String(req.headers['x-wsse'] ?? ''));
  if (!m) return result('E000006', 'X-WSSE is not in a valid format.', 401);
  const [, username, digest, nonce = '', created = ''] = m;
  if (username !== keys.appKey) return result('E000102', 'Invalid app_key.', 401);
  const at = Date.parse(created);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(created) || Math.abs(Date.now() - at) > CREATED_WINDOW_MS) {
    return result('E000110', 'Time out of range.', 401);
  }
  const hex = createHash('sha256').update(nonce + created + keys.appSecret).digest('hex');
  if (digest !== Buffer.from(hex).toString('base64')) return result('E000101', 'Authentication failed.', 401);
  if (nonces.has(nonce)) return result('E000101', 'Authentication failed.', 401);
  nonces.add(nonce);
  return undefined;
}

function paramsOf(value: string | null): string[] | undefined {
  try {
    const parsed = JSON.parse(value ?? '') as unknown;
    return Array.isArray(parsed) && parsed.every((p) => typeof p === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export async function startFakeHuawei(opts: { appKey: string; appSecret: string; paramMaxLength?: number }): Promise<FakeHuawei> {
  const nonces = new Set<string>();
  const max = opts.paramMaxLength ?? 20;
  const fake = { sends: [] as HuaweiSend[], mode: 'ok' as HuaweiMode };
  const send = (form: URLSearchParams): Reply => {
    const numbers = (form.get('to') ?? '').split(',').filter((n) => n !== '');
    // Over 500 numbers the whole request fails; the platform does not document which code, this one means "bad parameter".
    if (numbers.length === 0 || numbers.length > 500) return result('E000503', 'Invalid parameter: to.');
    const params = paramsOf(form.get('templateParas'));
    if (!params || params.some((p) => [...p].length < 1 || [...p].length > max)) return result('E200028', 'Template variable verification failed.');
    const seen = new Set<string>();
    const statuses = numbers.map((n) => {
      // The same number twice in one request: the second is refused.
      const status = !/^\+?\d{5,21}$/.test(n) ? 'E200030' : seen.has(n) ? 'E200041' : '000000';
      seen.add(n);
      return { originTo: n, createTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), from: form.get('from'), smsMsgId: `${randomUUID()}_1`, status };
    });
    const sent = statuses.filter((s) => s.status === '000000').map((s) => s.originTo);
    fake.sends.push({ numbers: sent, params, from: form.get('from') ?? '', templateId: form.get('templateId') ?? '', signature: form.get('signature') ?? '' });
    return json(200, { code: '000000', description: 'Success', result: statuses });
  };
  const handler = (req: RecordedRequest): Reply => {
    if (req.method !== 'POST' || req.url !== HUAWEI_PATH) return { status: 404, body: 'Not Found' };
    if (req.headers['content-type'] !== 'application/x-www-form-urlencoded') return result('E000000', 'The system is abnormal.');
    if (fake.mode === 'throttled') {
      return json(429, { error_msg: 'The throttling threshold has been reached: policy user over ratelimit,limit:50,time:1 minute', error_code: 'APIGW.0308', request_id: randomUUID().replaceAll('-', '') }, { 'retry-after': '3' });
    }
    return checkWsse(req, opts, nonces) ?? send(new URLSearchParams(req.body));
  };
  const server = await startHttpServer({ handler });
  return Object.assign(fake, { url: `${server.origin}${HUAWEI_PATH}`, requests: server.requests, close: () => server.close() });
}
