/**
 * Huawei Cloud Message & SMS (MSGSMS): batchSendSms v1, a form-encoded POST authenticated with
 * WSSE: `Authorization: WSSE realm="SDP",profile="UsernameToken",type="Appkey"` and an X-WSSE
 * UsernameToken whose PasswordDigest is Base64 of the hex SHA-256 of Nonce + Created + app secret
 * (as Huawei's Java and Python samples and Notification Manager compute it). `to` is comma-joined,
 * at most 500 numbers per request; each number's status comes back in `result`. The message is the
 * last template variable (a TEXT variable holds 20 characters); templateParas gives fixed ones before it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { DeliveryError, classifyHttpStatus, type ConfigBlock } from '../../notifier.js';
import { httpAnswer, postHttp, redact, redactUrl, type HttpReply } from '../../http.js';
import { STATUS_REPLY_BYTES, SmsRequestError, smsEvidence, isoSeconds, jsonOf, retryAfterOf, type BatchReply, type ProviderDeps, type RefusedNumber, type SmsProvider, type SmsRequest } from './provider.js';

type HuaweiConfig = NonNullable<ConfigBlock<'sms'>['providers']['huawei']>;

export const HUAWEI_BATCH = 500;
const DEFAULT_PARAM_MAX = 20;
const OK = '000000';
/** The API gateway's throttling error (HTTP 429). */
const THROTTLED = 'APIGW.0308';

/** Base64 of the lower-case hex SHA-256 of nonce + created + secret. */
export function passwordDigest(nonce: string, created: string, appSecret: string): string {
  const hex = createHash('sha256').update(nonce + created + appSecret, 'utf8').digest('hex');
  return Buffer.from(hex, 'utf8').toString('base64');
}

export function wsseHeader(appKey: string, digest: string, nonce: string, created: string): string {
  return `UsernameToken Username="${appKey}",PasswordDigest="${digest}",Nonce="${nonce}",Created="${created}"`;
}

/** The fixed leading template values from templateParas: a JSON array of strings. */
export function leadingParas(templateParas: string | undefined): string[] {
  if (templateParas === undefined || templateParas.trim() === '') return [];
  const parsed = jsonOf(templateParas);
  if (Array.isArray(parsed) && parsed.every((v): v is string => typeof v === 'string')) return parsed;
  throw new DeliveryError('spec.sms.providers.huawei.templateParas: must be a JSON array of strings, e.g. ["prod"]', {
    retryable: false,
    why: { kind: 'config' },
  });
}

interface HuaweiAnswer {
  code?: string;
  description?: string;
  result?: { originTo?: string; status?: string }[];
  error_code?: string;
}

function requestFailure(reply: HttpReply, code: string | undefined, message: string): SmsRequestError {
  const retryable = code === THROTTLED || classifyHttpStatus(reply.status) === 'retry';
  // Huawei reports number problems per number in `result`; a request-level error would repeat for every batch.
  return new SmsRequestError(message, { retryable, stop: true, retryAfterMs: retryable ? retryAfterOf(reply) : undefined, why: smsEvidence(reply.status, code) });
}

function refusedOf(result: NonNullable<HuaweiAnswer['result']>): RefusedNumber[] {
  return result
    .filter((r) => r.status !== OK)
    .map((r) => ({ number: r.originTo ?? '?', code: r.status ?? '?', message: '', retryable: false }));
}

export function createHuawei(config: HuaweiConfig, deps: ProviderDeps): SmsProvider {
  const field = 'spec.sms.providers.huawei';
  const appKey = deps.secret(config.appKey, `${field}.appKey`);
  const appSecret = deps.secret(config.appSecret, `${field}.appSecret`);
  const leading = leadingParas(config.templateParas);
  return {
    name: 'huawei',
    batchSize: HUAWEI_BATCH,
    maxChars: config.paramMaxLength ?? DEFAULT_PARAM_MAX,
    async send(req: SmsRequest): Promise<BatchReply> {
      const nonce = randomUUID().replaceAll('-', '');
      const created = isoSeconds(deps.now());
      const digest = deps.derived(passwordDigest(nonce, created, appSecret));
      const body = new URLSearchParams({
        from: config.sender,
        to: req.numbers.join(','),
        templateId: config.templateId,
        templateParas: JSON.stringify([...leading, req.text]),
        signature: config.signature,
      }).toString();
      const reply = await postHttp({
        url: config.url,
        body,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: 'WSSE realm="SDP",profile="UsernameToken",type="Appkey"',
          'x-wsse': wsseHeader(appKey, digest, nonce, created),
        },
        signal: req.signal,
        egress: deps.egress,
        secrets: deps.secrets,
        maxBodyBytes: STATUS_REPLY_BYTES,
      });
      const answer = httpAnswer(reply, deps.secrets);
      const parsed = jsonOf(reply.body) as HuaweiAnswer | undefined;
      if (reply.status === 200 && parsed?.code === OK) return { answer, refused: refusedOf(parsed.result ?? []) };
      const message = redact(`batchSendSms ${redactUrl(config.url)}: ${answer}`, deps.secrets);
      throw requestFailure(reply, parsed?.code ?? parsed?.error_code, message);
    },
  };
}
