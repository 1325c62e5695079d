/**
 * Aliyun Short Message Service: Dysmsapi SendSms (RPC style, version 2017-05-25), signed with
 * signature v1: HMAC-SHA1, keyed with `<AccessKeySecret>&`, over
 * `POST&%2F&<percent-encoded canonicalized query>`; the parameters travel form-encoded in the body.
 * PhoneNumbers is comma-joined, at most 1,000 per request; the message fills the template's `code`
 * variable (as Notification Manager does), whose default cap is 35 characters.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { httpAnswer, postHttp, redact, redactUrl, type HttpReply } from '../../http.js';
import { classifyHttpStatus, type ConfigBlock } from '../../notifier.js';
import { SmsRequestError, smsEvidence, isoSeconds, jsonOf, retryAfterOf, type BatchReply, type ProviderDeps, type SmsProvider, type SmsRequest } from './provider.js';

type AliyunConfig = NonNullable<ConfigBlock<'sms'>['providers']['aliyun']>;

const DEFAULT_URL = 'https://dysmsapi.aliyuncs.com/';
export const ALIYUN_BATCH = 1000;
const DEFAULT_PARAM_MAX = 35;

/** Codes that concern the numbers of one request; any other error would repeat for every batch. */
const BATCH_CODES = new Set(['isv.MOBILE_NUMBER_ILLEGAL', 'isv.MOBILE_COUNT_OVER_LIMIT', 'isv.BUSINESS_LIMIT_CONTROL', 'isv.DAY_LIMIT_CONTROL']);
/** Codes a later attempt can get past: per-number flow control, API throttling, server trouble, a reused nonce. */
const RETRYABLE_CODES = new Set([
  'isv.BUSINESS_LIMIT_CONTROL',
  'isv.DAY_LIMIT_CONTROL',
  'Throttling',
  'Throttling.User',
  'Throttling.Api',
  'ServiceUnavailable',
  'InternalError',
  'isp.SYSTEM_ERROR',
  'isp.GATEWAY_ERROR',
  'SignatureNonceUsed',
]);
/** isv.BUSINESS_LIMIT_CONTROL is a per-minute (or hour, or day) limit per number: the soonest it can pass. */
const FLOW_CONTROL_WAIT_MS = 60_000;

/** Aliyun's percent-encoding: RFC 3986 unreserved characters stay, everything else is %XX (UTF-8, upper case). */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The canonicalized query: parameters sorted by name, each name and value percent-encoded. */
export function canonicalize(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k] ?? '')}`)
    .join('&');
}

/** Signature v1 of a POST with these parameters. */
export function signatureV1(params: Readonly<Record<string, string>>, accessKeySecret: string): string {
  const stringToSign = `POST&${percentEncode('/')}&${percentEncode(canonicalize(params))}`;
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSign, 'utf8').digest('base64');
}

interface AliyunAnswer {
  Code?: string;
  Message?: string;
  BizId?: string;
}

function failure(reply: HttpReply, code: string | undefined, message: string): SmsRequestError {
  const { status } = reply;
  const retryable = code !== undefined ? RETRYABLE_CODES.has(code) || status >= 500 : classifyHttpStatus(status) === 'retry';
  const stop = code === undefined || !BATCH_CODES.has(code);
  // A Retry-After (a gateway's 429) says when; else flow control's own minute.
  const ownWait = code === 'isv.BUSINESS_LIMIT_CONTROL' ? FLOW_CONTROL_WAIT_MS : undefined;
  const retryAfterMs = retryable ? (retryAfterOf(reply) ?? ownWait) : undefined;
  return new SmsRequestError(message, { retryable, stop, retryAfterMs, why: smsEvidence(status, code) });
}

export function createAliyun(config: AliyunConfig, deps: ProviderDeps): SmsProvider {
  const field = 'spec.sms.providers.aliyun';
  const accessKeyId = deps.secret(config.accessKeyId, `${field}.accessKeyId`);
  const accessKeySecret = deps.secret(config.accessKeySecret, `${field}.accessKeySecret`);
  const url = config.apiUrl ?? DEFAULT_URL;
  return {
    name: 'aliyun',
    batchSize: ALIYUN_BATCH,
    maxChars: config.paramMaxLength ?? DEFAULT_PARAM_MAX,
    async send(req: SmsRequest): Promise<BatchReply> {
      const params: Record<string, string> = {
        AccessKeyId: accessKeyId,
        Action: 'SendSms',
        Format: 'JSON',
        PhoneNumbers: req.numbers.join(','),
        RegionId: 'cn-hangzhou',
        SignName: config.signName,
        SignatureMethod: 'HMAC-SHA1',
        SignatureNonce: randomUUID(),
        SignatureVersion: '1.0',
        TemplateCode: config.templateCode,
        TemplateParam: JSON.stringify({ code: req.text }),
        Timestamp: isoSeconds(deps.now()),
        Version: '2017-05-25',
      };
      const signature = deps.derived(signatureV1(params, accessKeySecret));
      const reply = await postHttp({
        url,
        body: `${canonicalize(params)}&Signature=${percentEncode(signature)}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'application/json' },
        signal: req.signal,
        egress: deps.egress,
        secrets: deps.secrets,
      });
      const answer = httpAnswer(reply, deps.secrets);
      const parsed = jsonOf(reply.body) as AliyunAnswer | undefined;
      if (reply.status === 200 && parsed?.Code === 'OK') return { answer, refused: [] };
      throw failure(reply, parsed?.Code, redact(`SendSms ${redactUrl(url)}: ${answer}`, deps.secrets));
    },
  };
}
