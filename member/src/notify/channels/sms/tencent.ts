/**
 * Tencent Cloud SMS: SendSms, API 3.0 version 2021-01-11, a JSON POST signed with TC3-HMAC-SHA256
 * (the Authorization header plus X-TC-Action, X-TC-Timestamp, X-TC-Version and X-TC-Region). At most
 * 200 numbers per request, in E.164; each number's outcome comes back in SendStatusSet. The message
 * fills the template's single variable, capped at 12 characters for personally verified accounts.
 */
import { createHash, createHmac } from 'node:crypto';
import { classifyHttpStatus, type ConfigBlock } from '../../notifier.js';
import { httpAnswer, postHttp, redact, redactUrl, type HttpReply } from '../../http.js';
import { STATUS_REPLY_BYTES, SmsRequestError, smsEvidence, jsonOf, retryAfterOf, withCountryCode, type BatchReply, type ProviderDeps, type RefusedNumber, type SmsProvider, type SmsRequest } from './provider.js';

type TencentConfig = NonNullable<ConfigBlock<'sms'>['providers']['tencent']>;

const DEFAULT_URL = 'https://sms.tencentcloudapi.com/';
const DEFAULT_REGION = 'ap-guangzhou';
const VERSION = '2021-01-11';
const ACTION = 'SendSms';
const CONTENT_TYPE = 'application/json; charset=utf-8';
export const TENCENT_BATCH = 200;
const DEFAULT_PARAM_MAX = 12;

/** Request errors about these numbers only; any other would repeat for every batch. */
const BATCH_CODES = new Set([
  'InvalidParameterValue.IncorrectPhoneNumber',
  'UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber',
  'LimitExceeded.PhoneNumberCountLimit',
]);
/** RequestLimitExceeded is per second: the soonest a retry can pass. */
const REQUEST_LIMIT_WAIT_MS = 1000;

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function hmac(key: string | Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text, 'utf8').digest();
}

export interface Tc3Input {
  secretId: string;
  secretKey: string;
  /** The Host header as sent (host[:port]). */
  host: string;
  payload: string;
  /** Unix seconds; also X-TC-Timestamp. */
  timestamp: number;
}

/** The TC3-HMAC-SHA256 Authorization header of a SendSms POST to `/`. */
export function tc3Authorization(input: Tc3Input): string {
  const date = new Date(input.timestamp * 1000).toISOString().slice(0, 10);
  const signedHeaders = 'content-type;host;x-tc-action';
  // Header values are lower-cased in the canonical form.
  const canonicalHeaders = `content-type:${CONTENT_TYPE}\nhost:${input.host.toLowerCase()}\nx-tc-action:${ACTION.toLowerCase()}\n`;
  const canonicalRequest = `POST\n/\n\n${canonicalHeaders}\n${signedHeaders}\n${sha256Hex(input.payload)}`;
  const scope = `${date}/sms/tc3_request`;
  const stringToSign = `TC3-HMAC-SHA256\n${input.timestamp}\n${scope}\n${sha256Hex(canonicalRequest)}`;
  const signing = hmac(hmac(hmac(`TC3${input.secretKey}`, date), 'sms'), 'tc3_request');
  const signature = createHmac('sha256', signing).update(stringToSign, 'utf8').digest('hex');
  return `TC3-HMAC-SHA256 Credential=${input.secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

interface TencentAnswer {
  Response?: {
    Error?: { Code?: string; Message?: string };
    SendStatusSet?: { PhoneNumber?: string; Code?: string; Message?: string }[];
    RequestId?: string;
  };
}

function requestFailure(reply: HttpReply, code: string | undefined, message: string): SmsRequestError {
  const { status } = reply;
  const limited = code?.startsWith('RequestLimitExceeded') ?? false;
  const retryable = limited || (code?.startsWith('InternalError') ?? false) || classifyHttpStatus(status) === 'retry';
  const stop = code === undefined || !BATCH_CODES.has(code);
  // A Retry-After (a gateway's 429) says when; else the per-second limit's own second.
  const retryAfterMs = retryable ? (retryAfterOf(reply) ?? (limited ? REQUEST_LIMIT_WAIT_MS : undefined)) : undefined;
  return new SmsRequestError(message, { retryable, stop, retryAfterMs, why: smsEvidence(status, code) });
}

/** Numbers whose SendStatus is not Ok; per-number frequency limits (LimitExceeded.*) can pass later. */
export function refusedOf(set: NonNullable<NonNullable<TencentAnswer['Response']>['SendStatusSet']>): RefusedNumber[] {
  return set
    .filter((s) => s.Code !== 'Ok')
    .map((s) => ({
      number: s.PhoneNumber ?? '?',
      code: s.Code ?? '?',
      message: s.Message ?? '',
      retryable: s.Code?.startsWith('LimitExceeded.') ?? false,
    }));
}

export function createTencent(config: TencentConfig, deps: ProviderDeps): SmsProvider {
  const field = 'spec.sms.providers.tencent';
  const secretId = deps.secret(config.secretId, `${field}.secretId`);
  const secretKey = deps.secret(config.secretKey, `${field}.secretKey`);
  const url = config.apiUrl ?? DEFAULT_URL;
  const host = new URL(url).host;
  return {
    name: 'tencent',
    batchSize: TENCENT_BATCH,
    maxChars: config.paramMaxLength ?? DEFAULT_PARAM_MAX,
    async send(req: SmsRequest): Promise<BatchReply> {
      const payload = JSON.stringify({
        PhoneNumberSet: req.numbers.map(withCountryCode),
        SmsSdkAppId: config.smsSdkAppid,
        SignName: config.sign,
        TemplateId: config.templateID,
        TemplateParamSet: [req.text],
      });
      const timestamp = Math.floor(deps.now() / 1000);
      const authorization = deps.derived(tc3Authorization({ secretId, secretKey, host, payload, timestamp }));
      const reply = await postHttp({
        url,
        body: payload,
        headers: {
          authorization,
          'content-type': CONTENT_TYPE,
          'x-tc-action': ACTION,
          'x-tc-timestamp': String(timestamp),
          'x-tc-version': VERSION,
          'x-tc-region': config.region ?? DEFAULT_REGION,
        },
        signal: req.signal,
        egress: deps.egress,
        secrets: deps.secrets,
        maxBodyBytes: STATUS_REPLY_BYTES,
      });
      const answer = httpAnswer(reply, deps.secrets);
      const parsed = (jsonOf(reply.body) as TencentAnswer | undefined)?.Response;
      if (reply.status === 200 && parsed && !parsed.Error && parsed.SendStatusSet) {
        return { answer, refused: refusedOf(parsed.SendStatusSet) };
      }
      throw requestFailure(reply, parsed?.Error?.Code, redact(`SendSms ${redactUrl(url)}: ${answer}`, deps.secrets));
    },
  };
}
