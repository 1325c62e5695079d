/**
 * The contract between the delivery pipeline and the channels: one Notifier per channel, one file
 * each under channels/. A send either resolves with what the channel answered, or throws a
 * DeliveryError that says whether trying again can help.
 */
import type { Channel, Credential, ReceiverSpec, ConfigSpec } from '@herald/shared';
import type { TemplateData } from '../model/notification.js';
import type { EgressPolicy } from './egress.js';
import type { ChannelOptions } from '../config/settings.js';
import { classifyFailure, type FailureEvidence, type FailureReason } from './failure-reason.js';

/** The channel block of a Receiver, and of its Config, for channel C. */
export type ReceiverBlock<C extends Channel> = NonNullable<ReceiverSpec[C]>;
export type ConfigBlock<C extends Channel> = NonNullable<ConfigSpec[C]>;

/** One channel of one Receiver, with the Config it selected. */
export interface Target<C extends Channel = Channel> {
  /** `<receiver name>/<channel>`: the delivery queue key. */
  key: string;
  receiver: string;
  channel: C;
  spec: ReceiverBlock<C>;
  /** The selected Config's block; webhook and discord may have none. */
  config?: ConfigBlock<C>;
  configName?: string;
}

/** Renders a named template (or the channel's default) against the group's data. */
export interface Renderer {
  /** `name` is a template name (e.g. `nm.default.text`) or undefined for the default of `kind`. */
  render(kind: 'text' | 'markdown' | 'html' | 'subject' | 'title', name: string | undefined, data: TemplateData): string;
}

export interface SendContext<C extends Channel = Channel> {
  target: Target<C>;
  data: TemplateData;
  templates: Renderer;
  /** Resolves a credential at send time; throws a retryable DeliveryError naming the field if it cannot. */
  secret(credential: Credential | undefined, field: string): string;
  signal: AbortSignal;
  /**
   * Which addresses the send may connect to, checked on the address each connection resolves to
   * (egress.ts): the Settings policy for configured receivers, a stricter one for inline targets.
   */
  egress: EgressPolicy;
  /** Per-channel options from Settings (timeouts, sizes, throttles), already defaulted. */
  options: Readonly<ChannelOptions<C>>;
  /** What earlier attempts of this batch delivered; a channel of several requests skips those. */
  progress?: SendProgress;
}

/** The steps (requests) of a batch that a channel accepted, kept across retries. */
export interface SendProgress {
  /** The channel's answer when the step was accepted before, else undefined. */
  sent(step: string): string | undefined;
  record(step: string, answer: string): void;
}

/** What the channel said: shown in history and in /api/v2/verify answers. */
export interface SendResult {
  /** e.g. `250 2.0.0 OK`, `HTTP 200 {"ok":true}`. Never holds a secret. */
  answer: string;
  /** How many messages the send took (splitting can make several). */
  messages: number;
}

export interface Notifier<C extends Channel = Channel> {
  readonly channel: C;
  send(ctx: SendContext<C>): Promise<SendResult>;
}

export interface DeliveryErrorOptions {
  retryable: boolean;
  retryAfterMs?: number | undefined;
  cause?: unknown;
  /** What the failure left behind; classifyFailure turns it into the reason. */
  why: FailureEvidence;
}

/**
 * DeliveryError: a failed send, with whether a retry can succeed, when to retry, and why it failed
 * (failure-reason.ts), which labels the failure metrics and history entries.
 */
export class DeliveryError extends Error {
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly reason: FailureReason;
  constructor(message: string, opts: DeliveryErrorOptions) {
    super(message, { cause: opts.cause });
    this.name = 'DeliveryError';
    this.retryable = opts.retryable;
    this.retryAfterMs = opts.retryAfterMs;
    this.reason = classifyFailure(opts.why);
  }
}

/** Classifies an HTTP status: 2xx fine, 5xx/429/408 retryable, other codes terminal. */
export function classifyHttpStatus(status: number): 'ok' | 'retry' | 'terminal' {
  if (status >= 200 && status < 300) return 'ok';
  if (status >= 500 || status === 429 || status === 408) return 'retry';
  return 'terminal';
}

/** Parses Retry-After (seconds or an HTTP date) into milliseconds from `now`. */
export function retryAfterMs(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
