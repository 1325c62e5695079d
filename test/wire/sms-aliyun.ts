/**
 * A fake Aliyun Dysmsapi SendSms endpoint that checks requests as Aliyun does: RPC signature v1
 * recomputed from the form body (HMAC-SHA1 keyed `<secret>&` over `POST&%2F&<encoded canonical
 * query>`), a 15-minute timestamp window, single-use nonces, at most 1,000 numbers, TemplateParam
 * JSON whose `code` fits the variable cap. It answers with Aliyun's own error bodies and codes.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { json, startHttpServer, type RecordedRequest, type Reply } from './http-server.js';

interface AliyunSend {
  numbers: string[];
  text: string;
  signName: string;
  templateCode: string;
}

type AliyunMode = 'ok' | 'flow-control' | 'throttled' | 'unavailable';

export interface FakeAliyun {
  apiUrl: string;
  requests: RecordedRequest[];
  sends: AliyunSend[];
  mode: AliyunMode;
  /** Numbers that make their whole request fail with isv.MOBILE_NUMBER_ILLEGAL. */
  illegal: Set<string>;
  /** Called as each request arrives (tests use it to act mid-send). */
  onRequest: ((req: RecordedRequest) => void) | undefined;
  close(): Promise<void>;
}

const SKEW_MS = 15 * 60_000;

/** Aliyun's POP percent-encoding, written here independently of the notifier's. */
function popEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/!/g, '%21')
    .replace(/'/g, '%27')
    .replace(/\(/g, '%28')
    .replace(/\)/g, '%29')
    .replace(/\*/g, '%2A');
}

function error(status: number, code: string, message: string): Reply {
  return json(status, { RequestId: randomUUID().toUpperCase(), HostId: 'dysmsapi.aliyuncs.com', Code: code, Message: message, Recommend: `https://api.aliyun.com/troubleshoot?q=${code}` });
}

function business(code: string, message: string): Reply {
  return json(200, { RequestId: randomUUID().toUpperCase(), Code: code, Message: message });
}

function checkTimestamp(timestamp: string): Reply | undefined {
  const ts = Date.parse(timestamp);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(timestamp) || Number.isNaN(ts)) {
    return error(400, 'InvalidTimeStamp.Format', 'Specified time stamp or date header is not in valid format.');
  }
  return Math.abs(Date.now() - ts) > SKEW_MS ? error(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date header is expired.') : undefined;
}

interface Checked {
  params: Map<string, string>;
}

function checkSignature(req: RecordedRequest, keys: { id: string; secret: string }, nonces: Set<string>): Reply | Checked {
  const form = new URLSearchParams(req.body);
  const params = new Map([...form.entries()]);
  const signature = params.get('Signature');
  params.delete('Signature');
  for (const [name, want] of [['SignatureMethod', 'HMAC-SHA1'], ['SignatureVersion', '1.0'], ['Version', '2017-05-25'], ['Action', 'SendSms']] as const) {
    if (params.get(name) !== want) return error(400, `InvalidParameter`, `The specified parameter "${name}" is not valid.`);
  }
  if (params.get('AccessKeyId') !== keys.id) return error(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
  const stale = checkTimestamp(params.get('Timestamp') ?? '');
  if (stale) return stale;
  const canonical = [...params.keys()]
    .sort()
    .map((k) => `${popEncode(k)}=${popEncode(params.get(k) ?? '')}`)
    .join('&');
  const stringToSign = `POST&%2F&${popEncode(canonical)}`;
  const want = createHmac('sha1', `${keys.secret}&`).update(stringToSign).digest('base64');
  if (signature !== want) {
    return error(400, 'SignatureDoesNotMatch', `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`);
  }
  const nonce = params.get('SignatureNonce') ?? '';
  if (nonce === '' || nonces.has(nonce)) return error(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
  nonces.add(nonce);
  return { params };
}

/** The template's `code` variable, or Aliyun's error for a TemplateParam without one. */
function codeOf(templateParam: string): string | Reply {
  let param: unknown;
  try {
    param = JSON.parse(templateParam);
  } catch {
    return business('isv.INVALID_JSON_PARAM', 'JSON参数不合法，只接受字符串值');
  }
  const code = (param as { code?: unknown }).code;
  return typeof code === 'string' ? code : business('isv.TEMPLATE_MISSING_PARAMETERS', '模板缺少变量');
}

export async function startFakeAliyun(opts: { accessKeyId: string; accessKeySecret: string; paramMaxLength?: number }): Promise<FakeAliyun> {
  const nonces = new Set<string>();
  const max = opts.paramMaxLength ?? 35;
  const fake = { sends: [] as AliyunSend[], mode: 'ok' as AliyunMode, illegal: new Set<string>(), onRequest: undefined as FakeAliyun['onRequest'] };
  const handler = (req: RecordedRequest): Reply => {
    fake.onRequest?.(req);
    if (req.method !== 'POST' || req.url !== '/') return error(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
    if (!req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) return error(400, 'MissingParameter', 'Parameters must be form-encoded.');
    if (fake.mode === 'throttled') return error(400, 'Throttling.User', 'Request was denied due to user flow control.');
    if (fake.mode === 'unavailable') return error(503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.');
    const checked = checkSignature(req, { id: opts.accessKeyId, secret: opts.accessKeySecret }, nonces);
    return 'params' in checked ? sendSms(checked.params) : checked;
  };
  const sendSms = (params: Map<string, string>): Reply => {
    const numbers = (params.get('PhoneNumbers') ?? '').split(',');
    if (numbers.length > 1000) return business('isv.MOBILE_COUNT_OVER_LIMIT', '手机号码数量超过限制');
    if (numbers.some((n) => !/^\+?\d{5,20}$/.test(n) || fake.illegal.has(n))) return business('isv.MOBILE_NUMBER_ILLEGAL', '非法手机号');
    const text = codeOf(params.get('TemplateParam') ?? '');
    if (typeof text !== 'string') return text;
    if ([...text].length > max) return business('isv.PARAM_LENGTH_LIMIT', '参数超出长度限制');
    if (fake.mode === 'flow-control') return business('isv.BUSINESS_LIMIT_CONTROL', '触发分钟级流控Permits:1');
    fake.sends.push({ numbers, text, signName: params.get('SignName') ?? '', templateCode: params.get('TemplateCode') ?? '' });
    return json(200, { Message: 'OK', RequestId: randomUUID().toUpperCase(), Code: 'OK', BizId: `${Date.now()}^0` });
  };
  const server = await startHttpServer({ handler });
  return Object.assign(fake, { apiUrl: `${server.origin}/`, requests: server.requests, close: () => server.close() });
}
