/**
 * Discord: Execute Webhook, one message per part. `type: content` posts `content` (2000
 * characters), `type: embed` one embed whose description holds the text (4096). Discord counts
 * code points (its API is Python: discord-api-docs#1315), so Chinese text fits 2000 characters,
 * not 2000 bytes. Mentions go in `content` with `allowed_mentions` naming exactly the configured
 * users and roles, so an alert that quotes "@everyone" pings nobody.
 */
import { sizeOf, splitMessage } from '../../template/split.js';
import { checkHttpReply, httpAnswer, postHttp, recordSecrets, redact, type HttpReply, type SecretRecorder } from '../http.js';
import { DeliveryError, retryAfterMs, type Notifier, type ReceiverBlock, type SendContext, type SendResult } from '../notifier.js';
import { headerOf, jsonObjectOf, secondsToMs } from '../reply.js';
import { resultOf, sendInOrder } from '../sequence.js';

type DiscordSpec = ReceiverBlock<'discord'>;

export const CONTENT_LIMIT = 2000;
export const DESCRIPTION_LIMIT = 4096;
const TITLE_LIMIT = 256;
const FIRING_COLOR = 0xe74c3c;
const RESOLVED_COLOR = 0x2ecc71;

/** The webhook URL with `wait=true`, so Discord answers with the message it created (200) instead of 204. */
function executeUrl(webhook: string, secrets: SecretRecorder): string {
  let url: URL;
  try {
    url = new URL(webhook);
  } catch {
    throw new DeliveryError('spec.discord.webhook is not a URL', { retryable: false, why: { kind: 'config' } });
  }
  // The token is a path segment (/api/webhooks/<id>/<token>): keep it out of every message.
  const token = url.pathname.split('/').filter(Boolean).at(-1);
  if (token) secrets.derived(token);
  url.searchParams.set('wait', 'true');
  return url.toString();
}

function mentionsOf(spec: DiscordSpec): string {
  const users = (spec.mentionedUsers ?? []).map((id) => `<@${id}>`);
  const roles = (spec.mentionedRoles ?? []).map((id) => `<@&${id}>`);
  return [...users, ...roles].join(' ');
}

function truncate(text: string, limit: number): string {
  const chars = [...text];
  return chars.length <= limit ? text : `${chars.slice(0, limit - 1).join('')}…`;
}

/** The message bodies for one notification, in order; pure. */
export function discordPayloads(args: { spec: DiscordSpec; text: string; title: string; firing: boolean }): Record<string, unknown>[] {
  const { spec, text } = args;
  const mentions = mentionsOf(spec);
  const allowed = { parse: [], users: spec.mentionedUsers ?? [], roles: spec.mentionedRoles ?? [] };
  if (spec.type === 'embed') {
    const parts = splitMessage(text, DESCRIPTION_LIMIT, { unit: 'codepoint' });
    return parts.map((description, i) => {
      const marker = parts.length > 1 ? ` (${i + 1}/${parts.length})` : '';
      const title = `${truncate(args.title, TITLE_LIMIT - sizeOf(marker, 'codepoint'))}${marker}`;
      const embed = { title, description, color: args.firing ? FIRING_COLOR : RESOLVED_COLOR };
      return { ...(i === 0 && mentions ? { content: mentions } : {}), embeds: [embed], allowed_mentions: allowed };
    });
  }
  const prefix = mentions ? `${mentions}\n` : '';
  const parts = splitMessage(text, CONTENT_LIMIT, { unit: 'codepoint', suffixBytes: sizeOf(prefix, 'codepoint') });
  return parts.map((part, i) => ({ content: i === 0 ? prefix + part : part, allowed_mentions: allowed }));
}

/** 2xx → the created message's id; 429 → retry after the body's `retry_after` (seconds, fractional). */
function answerOf(reply: HttpReply, secrets: readonly string[]): string {
  const what = 'discord execute webhook';
  const body = jsonObjectOf(reply);
  if (reply.status === 429) {
    const wait = secondsToMs(body?.['retry_after']) ?? retryAfterMs(headerOf(reply, 'retry-after'));
    throw new DeliveryError(redact(`${what}: ${httpAnswer(reply, secrets)}`, secrets), { retryable: true, why: { kind: 'status', status: reply.status }, ...(wait !== undefined ? { retryAfterMs: wait } : {}) });
  }
  checkHttpReply(reply, { what, secrets });
  // A long message's echo is cut at 4 KiB and does not parse; the status alone says it was created.
  return `HTTP ${reply.status} message ${typeof body?.['id'] === 'string' ? body['id'] : 'created'}`;
}

export class DiscordNotifier implements Notifier<'discord'> {
  readonly channel = 'discord' as const;

  async send(ctx: SendContext<'discord'>): Promise<SendResult> {
    const spec = ctx.target.spec;
    const secrets = recordSecrets(ctx);
    const url = executeUrl(secrets.secret(spec.webhook, 'spec.discord.webhook'), secrets);
    const template = spec.template ?? ctx.options.template;
    const text = ctx.templates.render('markdown', template, ctx.data);
    const title = spec.type === 'embed' ? ctx.templates.render('title', spec.titleTemplate ?? ctx.options.titleTemplate, ctx.data) : '';
    const payloads = discordPayloads({ spec, text, title, firing: ctx.data.status === 'firing' });
    const answers = await sendInOrder(payloads, async (payload) => {
      const reply = await postHttp({
        url,
        body: JSON.stringify(payload),
        headers: { 'content-type': 'application/json' },
        signal: ctx.signal,
        egress: ctx.egress,
        secrets: secrets.secrets,
      });
      return answerOf(reply, secrets.secrets);
    }, { progress: ctx.progress, scope: 'webhook' });
    return resultOf(answers);
  }
}
