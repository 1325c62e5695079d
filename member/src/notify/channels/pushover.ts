/**
 * Pushover: `POST /1/messages.json` (form-encoded) once per profile and part. Messages are at most
 * 1024 characters and titles 250 (Pushover counts characters, not bytes), so long text is split
 * and each part's title carries its number. Devices are one comma-separated `device` parameter.
 * Pushover's own advice decides retries: 4xx means the request is wrong (terminal); 5xx may be
 * retried, but not sooner than 5 seconds; 429 means the app's monthly quota is spent, which
 * clears at X-Limit-App-Reset, so it is retried then (or after a Retry-After, when one comes).
 */
import { sizeOf, splitMessage } from '../../template/split.js';
import { httpAnswer, postHttp, recordSecrets, redact, type HttpReply } from '../http.js';
import { DeliveryError, classifyHttpStatus, retryAfterMs, type Notifier, type ReceiverBlock, type SendContext, type SendResult } from '../notifier.js';
import { headerOf, jsonObjectOf } from '../reply.js';
import { sendInOrder, sendToEach } from '../sequence.js';
import { configOf } from '../config-need.js';
import type { FailureEvidence } from '../failure-reason.js';

type Profile = ReceiverBlock<'pushover'>['profiles'][number];

export const MESSAGE_LIMIT = 1024;
export const TITLE_LIMIT = 250;
const DEFAULT_API = 'https://api.pushover.net';
const SERVER_ERROR_WAIT_MS = 5000;

function truncate(text: string, limit: number): string {
  const chars = [...text];
  return chars.length <= limit ? text : `${chars.slice(0, limit - 1).join('')}…`;
}

/** The form bodies for one profile, in order. Pure. */
export function pushoverForms(args: { token: string; profile: Profile; text: string; title: string }): URLSearchParams[] {
  const { profile } = args;
  const parts = splitMessage(args.text, MESSAGE_LIMIT, { unit: 'codepoint' });
  const title = profile.title ?? args.title;
  return parts.map((message, i) => {
    const marker = parts.length > 1 ? ` (${i + 1}/${parts.length})` : '';
    const form = new URLSearchParams({ token: args.token, user: profile.userKey, message });
    if (title) form.set('title', truncate(title, TITLE_LIMIT - sizeOf(marker, 'codepoint')) + marker);
    if (profile.devices && profile.devices.length > 0) form.set('device', profile.devices.join(','));
    if (profile.sound) form.set('sound', profile.sound);
    return form;
  });
}

function waitOf(reply: HttpReply): number | undefined {
  if (reply.status >= 500) return SERVER_ERROR_WAIT_MS;
  if (reply.status !== 429) return undefined;
  // A Retry-After (a gateway's, say) says when; Pushover's own quota reply names its reset instead.
  const after = retryAfterMs(headerOf(reply, 'retry-after'));
  if (after !== undefined) return after;
  const reset = Number(headerOf(reply, 'x-limit-app-reset'));
  return Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - Date.now()) : undefined;
}

/** A 4xx names the field it refuses (`{"token":"invalid"}`): a bad token is refused credentials. */
function evidenceOf(reply: HttpReply, body: Record<string, unknown> | undefined): FailureEvidence {
  const field = body ? Object.keys(body).find((k) => body[k] === 'invalid') : undefined;
  return field !== undefined ? { kind: 'api', api: 'pushover', code: field, status: reply.status } : { kind: 'status', status: reply.status };
}

function answerOf(reply: HttpReply, secrets: readonly string[]): string {
  const body = jsonObjectOf(reply);
  if (classifyHttpStatus(reply.status) === 'ok' && body?.['status'] === 1) return `HTTP ${reply.status} request ${String(body['request'])}`;
  const wait = waitOf(reply);
  throw new DeliveryError(redact(`pushover messages.json: ${httpAnswer(reply, secrets)}`, secrets), {
    retryable: classifyHttpStatus(reply.status) !== 'terminal',
    why: evidenceOf(reply, body),
    ...(wait !== undefined ? { retryAfterMs: wait } : {}),
  });
}

/** A bad application token, the quota or an outage hits every profile alike. */
const stops = (err: DeliveryError): boolean => err.retryable || err.reason === 'auth';

export class PushoverNotifier implements Notifier<'pushover'> {
  readonly channel = 'pushover' as const;

  async send(ctx: SendContext<'pushover'>): Promise<SendResult> {
    const { spec } = ctx.target;
    const config = configOf(ctx);
    const secrets = recordSecrets(ctx);
    const token = secrets.secret(config.pushoverTokenSecret, 'spec.pushover.pushoverTokenSecret');
    const url = `${(config.apiUrl ?? DEFAULT_API).replace(/\/+$/, '')}/1/messages.json`;
    const template = spec.template ?? ctx.options.template;
    const text = ctx.templates.render('text', template, ctx.data);
    const titleTemplate = spec.titleTemplate ?? ctx.options.titleTemplate;
    const title = ctx.templates.render('title', titleTemplate, ctx.data);
    return sendToEach({
      what: 'pushover messages.json',
      destinations: spec.profiles,
      // A user key is an address, not a credential, but its tail is enough to tell profiles apart.
      name: (p) => `user …${p.userKey.slice(-4)}`,
      stops,
      send: (profile) =>
        sendInOrder(pushoverForms({ token, profile, text, title }), async (form) => {
          const reply = await postHttp({
            url,
            body: form.toString(),
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            signal: ctx.signal,
            egress: ctx.egress,
            secrets: secrets.secrets,
          });
          return answerOf(reply, secrets.secrets);
        }, { progress: ctx.progress, scope: `user ${profile.userKey}` }),
    });
  }
}
