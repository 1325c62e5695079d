/**
 * AWS SNS: Publish (Query API 2010-03-31) straight to a PhoneNumber, one number per request, signed
 * with Signature Version 4 by `aws4`. SNS itself cuts a long text into 140-byte SMS; one Publish
 * carries at most 1,600 characters, so longer text is split here. Errors are XML ErrorResponses.
 */
import aws4, { type Request as Aws4Request } from 'aws4';
import { classifyHttpStatus, type ConfigBlock } from '../../notifier.js';
import { postHttp, redact, redactUrl, type HttpReply } from '../../http.js';
import { SmsRequestError, smsEvidence, retryAfterOf, type BatchReply, type ProviderDeps, type SmsProvider, type SmsRequest } from './provider.js';

type AwsConfig = NonNullable<ConfigBlock<'sms'>['providers']['aws']>;

/** The most characters one SMS Publish may carry. */
export const AWS_MAX_CHARS = 1600;
const E164 = /^\+[1-9][0-9]{4,19}$/;

/** Codes a later attempt can get past. */
const RETRYABLE_CODES = new Set(['Throttling', 'ThrottlingException', 'ThrottledException', 'KMSThrottling', 'InternalError', 'InternalFailure', 'ServiceUnavailable']);
/** Codes about this one number or message; any other (credentials, throttling) would repeat for the next number. */
const NUMBER_CODES = new Set(['InvalidParameter', 'InvalidParameterValue', 'ParameterValueInvalid']);

/** X-Amz-Date: `20240501T100000Z`. */
export function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
}

/** The text of the first <tag> element of an AWS Query reply (the shape is fixed: no XML parser needed). */
export function xmlField(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return m?.[1]?.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

function requestFailure(reply: HttpReply, message: string): SmsRequestError {
  const code = xmlField(reply.body, 'Code');
  const retryable = (code !== undefined && RETRYABLE_CODES.has(code)) || classifyHttpStatus(reply.status) === 'retry';
  const stop = code === undefined || !NUMBER_CODES.has(code);
  return new SmsRequestError(message, { retryable, stop, retryAfterMs: retryable ? retryAfterOf(reply) : undefined, why: smsEvidence(reply.status, code) });
}

export function createAws(config: AwsConfig, deps: ProviderDeps): SmsProvider {
  const field = 'spec.sms.providers.aws';
  const accessKeyId = deps.secret(config.accessKeyId, `${field}.accessKeyId`);
  const secretAccessKey = deps.secret(config.secretAccessKey, `${field}.secretAccessKey`);
  const url = new URL(config.apiUrl ?? `https://sns.${config.region}.amazonaws.com/`);
  return {
    name: 'aws',
    batchSize: 1,
    maxChars: AWS_MAX_CHARS,
    async send(req: SmsRequest): Promise<BatchReply> {
      const number = req.numbers[0] ?? '';
      if (!E164.test(number)) {
        throw new SmsRequestError(`spec.sms.phoneNumbers: ${number} is not E.164 (+<country code><number>), which AWS SNS requires`, {
          retryable: false,
          stop: false,
          why: { kind: 'config' },
        });
      }
      const body = new URLSearchParams({ Action: 'Publish', Message: req.text, PhoneNumber: number, Version: '2010-03-31' }).toString();
      const signed = aws4.sign(
        {
          hostname: url.hostname,
          ...(url.port ? { port: Number(url.port) } : {}),
          path: url.pathname,
          method: 'POST',
          service: 'sns',
          region: config.region,
          body,
          headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8', 'X-Amz-Date': amzDate(deps.now()) },
        },
        { accessKeyId, secretAccessKey },
      );
      const headers = headersOf(signed.headers, deps);
      const reply = await postHttp({ url: url.href, body, headers, signal: req.signal, egress: deps.egress, secrets: deps.secrets });
      const messageId = xmlField(reply.body, 'MessageId');
      if (reply.status === 200 && messageId) return { answer: `HTTP 200 MessageId=${messageId}`, refused: [] };
      const code = xmlField(reply.body, 'Code') ?? '';
      const what = `${code} ${xmlField(reply.body, 'Message') ?? ''}`.trim() || reply.body.slice(0, 200);
      throw requestFailure(reply, redact(`Publish ${redactUrl(url.href)} to ${number}: HTTP ${reply.status} ${what}`, deps.secrets));
    },
  };
}

/**
 * The signed headers as strings. Host and Content-Length are left to undici, which writes the same
 * values (the URL's host, the body's length); the Authorization header is remembered for redaction.
 */
function headersOf(signed: Aws4Request['headers'], deps: ProviderDeps): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed ?? {})) {
    const lower = name.toLowerCase();
    if (lower === 'host' || lower === 'content-length' || value === undefined) continue;
    out[lower] = Array.isArray(value) ? value.join(',') : String(value);
  }
  if (out['authorization']) deps.derived(out['authorization']);
  return out;
}
