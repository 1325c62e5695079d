/**
 * A fake Tencent Cloud SMS endpoint (API 3.0, SendSms 2021-01-11) that checks requests as Tencent
 * does: the TC3-HMAC-SHA256 Authorization recomputed over the headers it names (content-type and
 * host at least), X-TC-* headers, a 5-minute timestamp window, at most 200 E.164 numbers, template
 * variables within the cap. It answers HTTP 200 with Response.Error or a per-number SendStatusSet.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { json, startHttpServer, type RecordedRequest, type Reply } from './http-server.js';

interface TencentSend {
  numbers: string[];
  params: string[];
  sdkAppId: string;
  signName: string;
  templateId: string;
  region: string;
}

type TencentMode = 'ok' | 'throttled' | 'internal-error';

export interface FakeTencent {
  apiUrl: string;
  requests: RecordedRequest[];
  sends: TencentSend[];
  mode: TencentMode;
  /** Numbers whose SendStatus is this code instead of Ok (e.g. LimitExceeded.PhoneNumberThirtySecondLimit). */
  statusOf: Map<string, string>;
  close(): Promise<void>;
}

const SKEW_S = 300;

function reply(body: Record<string, unknown>): Reply {
  return json(200, { Response: { ...body, RequestId: randomUUID() } });
}

function error(code: string, message: string): Reply {
  return reply({ Error: { Code: code, Message: message } });
}

const hex = (s: string) => createHash('sha256').update(s).digest('hex');
const mac = (key: string | Buffer, s: string) => createHmac('sha256', key).update(s).digest();

const AUTH = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d\d-\d\d)\/sms\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

function checkAuth(req: RecordedRequest, keys: { id: string; key: string }): Reply | undefined {
  const m = AUTH.exec(req.headers.authorization ?? '');
  if (!m) return error('AuthFailure.InvalidAuthorization', 'Authorization header is not in a valid format.');
  const [, id, date, signedHeaders = '', signature] = m;
  if (id !== keys.id) return error('AuthFailure.SecretIdNotFound', 'The SecretId is not found, please ensure that your SecretId is correct.');
  const timestamp = Number(req.headers['x-tc-timestamp']);
  const now = Math.floor(Date.now() / 1000);
  if (!Number.isInteger(timestamp) || Math.abs(now - timestamp) > SKEW_S) {
    return error('AuthFailure.SignatureExpire', `Signature expired. Timestamp:${String(req.headers['x-tc-timestamp'])}, now:${now}`);
  }
  const names = signedHeaders.split(';');
  if (!names.includes('content-type') || !names.includes('host')) return error('AuthFailure.InvalidAuthorization', 'SignedHeaders must include content-type and host.');
  const canonicalHeaders = names.map((n) => `${n}:${String(req.headers[n] ?? '').trim().toLowerCase()}\n`).join('');
  const canonicalRequest = `${req.method}\n/\n\n${canonicalHeaders}\n${signedHeaders}\n${hex(req.body)}`;
  const stringToSign = `TC3-HMAC-SHA256\n${timestamp}\n${date}/sms/tc3_request\n${hex(canonicalRequest)}`;
  const signing = mac(mac(mac(`TC3${keys.key}`, date ?? ''), 'sms'), 'tc3_request');
  const dateOk = new Date(timestamp * 1000).toISOString().slice(0, 10) === date;
  if (!dateOk || createHmac('sha256', signing).update(stringToSign).digest('hex') !== signature) {
    return error('AuthFailure.SignatureFailure', 'The provided credentials could not be validated. Please check your signature is correct.');
  }
  return undefined;
}

function checkHeaders(req: RecordedRequest): Reply | undefined {
  if (req.method !== 'POST' || req.url !== '/') return error('UnsupportedProtocol', 'Only POST / is supported.');
  if (req.headers['content-type'] !== 'application/json; charset=utf-8') return error('InvalidParameter', 'Content-Type must be application/json; charset=utf-8.');
  if (req.headers['x-tc-action'] !== 'SendSms') return error('InvalidAction', `The action ${String(req.headers['x-tc-action'])} is not supported.`);
  if (req.headers['x-tc-version'] !== '2021-01-11') return error('NoSuchVersion', 'The API version does not exist.');
  if (!req.headers['x-tc-region']) return error('MissingParameter', 'The request is missing the required parameter X-TC-Region.');
  return undefined;
}

interface Body {
  PhoneNumberSet?: unknown;
  SmsSdkAppId?: unknown;
  SignName?: unknown;
  TemplateId?: unknown;
  TemplateParamSet?: unknown;
}

function isStrings(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

export async function startFakeTencent(opts: { secretId: string; secretKey: string; paramMaxLength?: number }): Promise<FakeTencent> {
  const max = opts.paramMaxLength ?? 12;
  const fake = { sends: [] as TencentSend[], mode: 'ok' as TencentMode, statusOf: new Map<string, string>() };
  const handler = (req: RecordedRequest): Reply => {
    const bad = checkHeaders(req) ?? checkAuth(req, { id: opts.secretId, key: opts.secretKey });
    if (bad) return bad;
    if (fake.mode === 'throttled') return error('RequestLimitExceeded', 'Your current request times equals to `21` in a second, which exceeds the frequency limit `20` for a second. Please reduce the frequency of calls.');
    if (fake.mode === 'internal-error') return error('InternalError.Timeout', 'Request timed out.');
    const body = JSON.parse(req.body) as Body;
    if (!isStrings(body.PhoneNumberSet) || !isStrings(body.TemplateParamSet) || typeof body.SmsSdkAppId !== 'string' || typeof body.TemplateId !== 'string') {
      return error('MissingParameter', 'The request is missing a required parameter.');
    }
    if (body.PhoneNumberSet.length > 200) return error('LimitExceeded.PhoneNumberCountLimit', 'The number of phone numbers in a request exceeds 200.');
    if (body.TemplateParamSet.some((p) => [...p].length > max)) {
      return error('InvalidParameterValue.TemplateParameterLengthLimit', `A template variable exceeds ${max} characters.`);
    }
    const set = body.PhoneNumberSet.map((n) => {
      const code = !/^\+\d{6,20}$/.test(n) ? 'InvalidParameterValue.IncorrectPhoneNumber' : (fake.statusOf.get(n) ?? 'Ok');
      return { SerialNo: code === 'Ok' ? `5000:${randomUUID()}` : '', PhoneNumber: n, Fee: code === 'Ok' ? 1 : 0, SessionContext: '', Code: code, Message: code === 'Ok' ? 'send success' : code, IsoCode: 'CN' };
    });
    const sent = set.filter((s) => s.Code === 'Ok').map((s) => s.PhoneNumber);
    if (sent.length > 0) {
      fake.sends.push({ numbers: sent, params: body.TemplateParamSet, sdkAppId: body.SmsSdkAppId, signName: String(body.SignName), templateId: body.TemplateId, region: String(req.headers['x-tc-region']) });
    }
    return reply({ SendStatusSet: set });
  };
  const server = await startHttpServer({ handler });
  return Object.assign(fake, { apiUrl: `${server.origin}/`, requests: server.requests, close: () => server.close() });
}
