/**
 * Slack: chat.postMessage to each of the receiver's channels with the Web API client. The client's
 * own retries and rate-limit queueing are off: Herald's delivery pipeline owns retries and backoff.
 * Its requests go through a node:http(s) Agent that applies the outbound address policy.
 */
import { ErrorCode, LogLevel, WebClient, type WebAPICallError } from '@slack/web-api';
import { egressDenialOf } from '../egress.js';
import { egressAgent } from '../egress-connect.js';
import { USER_AGENT, abortedError, messageOf, recordSecrets, redact } from '../http.js';
import { DeliveryError, classifyHttpStatus, type Notifier, type SendContext, type SendResult } from '../notifier.js';
import { once, stepKey } from '../progress.js';
import { configOf } from '../config-need.js';
import type { FailureEvidence } from '../failure-reason.js';

/** Platform errors that a later attempt can get past; every other `ok:false` error is terminal. */
const TRANSIENT_PLATFORM_ERRORS = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'team_added_to_org',
]);
/** Errors about the token, not the channel: the remaining channels would fail the same way. */
const TOKEN_ERRORS = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired']);
const SLACK_API_URL = 'https://slack.com/api/';

interface Failure {
  channel: string;
  error: DeliveryError;
  /** Stop here: the next channels would fail the same way (token, rate limit, network). */
  stop: boolean;
}

function failureOf(err: unknown, channel: string, secrets: readonly string[]): Failure {
  const fail = (message: string, opts: { retryable: boolean; retryAfterMs?: number; why: FailureEvidence }, stop = true): Failure => ({
    channel,
    error: new DeliveryError(redact(message, secrets), { ...opts, cause: err }),
    stop,
  });
  // The outbound policy refused the API's address: every channel would be refused the same way.
  const refused = egressDenialOf(err);
  if (refused) return fail(refused.message, { retryable: refused.retryable, why: { kind: 'config' } });
  const e = err as WebAPICallError;
  switch (e.code) {
    case ErrorCode.RateLimitedError:
      return fail('rate limited', { retryable: true, retryAfterMs: e.retryAfter * 1000, why: { kind: 'status', status: 429 } });
    case ErrorCode.PlatformError: {
      const code = e.data.error;
      const transient = TRANSIENT_PLATFORM_ERRORS.has(code);
      return fail(code, { retryable: transient, why: { kind: 'api', api: 'slack', code } }, transient || TOKEN_ERRORS.has(code));
    }
    case ErrorCode.HTTPError:
      return fail(`HTTP ${e.statusCode} ${e.statusMessage}`, { retryable: classifyHttpStatus(e.statusCode) !== 'terminal', why: { kind: 'status', status: e.statusCode } });
    case ErrorCode.RequestError:
      return fail(messageOf(e.original), { retryable: true, why: { kind: 'thrown', error: e.original } });
    default:
      return fail(messageOf(err), { retryable: true, why: { kind: 'thrown', error: err } });
  }
}

/** One DeliveryError for the whole target, naming what was posted before the failures. */
function combined(outcome: { posted: readonly string[]; failures: readonly Failure[]; skipped: readonly string[] }): DeliveryError {
  const { posted, failures, skipped } = outcome;
  const what = failures.map((f) => `${f.channel}: ${f.error.message}`).join('; ');
  const done = posted.length > 0 ? `; already posted to ${posted.join(', ')}` : '';
  const notTried = skipped.length > 0 ? `; not attempted: ${skipped.join(', ')}` : '';
  const retryAfters = failures.map((f) => f.error.retryAfterMs).filter((ms): ms is number => ms !== undefined);
  return new DeliveryError(`slack chat.postMessage failed: ${what}${done}${notTried}`, {
    retryable: failures.some((f) => f.error.retryable),
    retryAfterMs: retryAfters.length > 0 ? Math.max(...retryAfters) : undefined,
    cause: failures[0]?.error,
    why: { kind: 'combined', reasons: failures.map((f) => f.error.reason) },
  });
}

export class SlackNotifier implements Notifier<'slack'> {
  readonly channel = 'slack' as const;

  /**
   * Posts to the channels one after another. A failure on one channel does not stop the others
   * unless it would repeat (token, rate limit, network). The pipeline retries the whole target;
   * the channels already posted to are skipped then (the batch's progress records them).
   */
  async send(ctx: SendContext<'slack'>): Promise<SendResult> {
    const secrets = recordSecrets(ctx);
    const config = configOf(ctx);
    const channels = ctx.target.spec.channels;
    if (channels.length === 0) throw new DeliveryError('slack: the receiver names no channels', { retryable: false, why: { kind: 'config' } });
    const token = secrets.secret(config.slackTokenSecret, 'spec.slack.slackTokenSecret');
    const template = ctx.target.spec.template ?? ctx.options.template;
    const text = ctx.templates.render('markdown', template, ctx.data);
    const apiUrl = config.apiUrl ?? SLACK_API_URL;
    // WebClient takes one agent for both schemes; the API URL says which one it will use.
    const agent = egressAgent(apiUrl.startsWith('http:') ? 'http:' : 'https:', ctx.egress);
    const client = new WebClient(token, {
      slackApiUrl: apiUrl,
      ...(agent ? { agent } : {}),
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logLevel: LogLevel.ERROR,
      headers: { 'User-Agent': USER_AGENT },
      // The SDK takes no per-call signal; axios honours one set on the request config.
      requestInterceptor: (req) => Object.assign(req, { signal: ctx.signal }),
    });
    const posted: string[] = [];
    const failures: Failure[] = [];
    const skipped: string[] = [];
    for (const [i, channel] of channels.entries()) {
      try {
        // A retry skips the channels an earlier attempt already posted this text to.
        const answer = await once(ctx.progress, stepKey(`channel ${channel}`, text), async () => `${channel} ts=${(await client.chat.postMessage({ channel, text })).ts ?? '?'}`);
        posted.push(answer);
      } catch (err) {
        if (ctx.signal.aborted) throw abortedError('slack chat.postMessage', ctx.signal);
        const failure = failureOf(err, channel, secrets.secrets);
        failures.push(failure);
        if (failure.stop) {
          skipped.push(...channels.slice(i + 1));
          break;
        }
      }
    }
    if (failures.length > 0) throw combined({ posted, failures, skipped });
    return { answer: `ok: posted to ${posted.join(', ')}`, messages: posted.length };
  }
}
