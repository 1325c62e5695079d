/**
 * The contract between the sms notifier and one SMS provider (one file each beside this one): a
 * provider sends one text to one batch of numbers per request, and says how many numbers a request
 * may carry and how many characters the text may have.
 */
import type { Credential, SMS_PROVIDERS } from '@herald/shared';
import type { EgressPolicy } from '../../egress.js';
import type { HttpReply } from '../../http.js';
import { DeliveryError, retryAfterMs, type DeliveryErrorOptions } from '../../notifier.js';
import type { FailureEvidence } from '../../failure-reason.js';

export type SmsProviderName = (typeof SMS_PROVIDERS)[number];

export interface SmsRequest {
  numbers: readonly string[];
  text: string;
  signal: AbortSignal;
}

/** A number the provider refused inside an accepted request (Tencent SendStatusSet, Huawei result). */
export interface RefusedNumber {
  number: string;
  code: string;
  message: string;
  retryable: boolean;
}

export interface BatchReply {
  /** What the provider answered, redacted, for history and /api/v2/verify. */
  answer: string;
  refused: RefusedNumber[];
}

export interface SmsProvider {
  readonly name: SmsProviderName;
  /** Most numbers one request may carry. */
  readonly batchSize: number;
  /** Most characters of message text in one SMS (a template variable's cap, or the message cap). */
  readonly maxChars: number;
  send(req: SmsRequest): Promise<BatchReply>;
}

/** What a provider module needs besides its Config block. */
export interface ProviderDeps {
  secret(credential: Credential | undefined, field: string): string;
  derived(value: string): string;
  readonly secrets: readonly string[];
  now(): number;
  /** The send's outbound address policy (SendContext.egress). */
  readonly egress: EgressPolicy;
}

/**
 * A failed request. `stop` says the next batches would fail the same way (credentials, account,
 * template, throttling, network), so they are not tried; otherwise only this batch failed.
 */
export class SmsRequestError extends DeliveryError {
  readonly stop: boolean;
  constructor(message: string, opts: DeliveryErrorOptions & { stop: boolean }) {
    super(message, opts);
    this.name = 'SmsRequestError';
    this.stop = opts.stop;
  }
}

/** What a provider's refusal says: its own code when it gave one, else the HTTP status. */
export function smsEvidence(status: number, code: string | undefined): FailureEvidence {
  return code !== undefined && code !== '' ? { kind: 'api', api: 'sms', code, status } : { kind: 'status', status };
}

/** Room for a reply listing a status per number (Tencent: 200, Huawei: 500; about 200 bytes each). */
export const STATUS_REPLY_BYTES = 512 * 1024;

/** The parsed JSON body of a reply, or undefined when it is not JSON. */
export function jsonOf(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** Seconds-precision UTC time as providers write it: `2024-05-01T10:00:00Z`. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** E.164 with a leading +; a bare number is taken as mainland China (+86), as Notification Manager does. */
export function withCountryCode(number: string): string {
  return number.startsWith('+') ? number : `+86${number}`;
}

/** The Retry-After of a reply, in milliseconds. */
export function retryAfterOf(reply: Pick<HttpReply, 'headers'>): number | undefined {
  const value = reply.headers['retry-after'];
  return retryAfterMs(Array.isArray(value) ? value[0] : value);
}
