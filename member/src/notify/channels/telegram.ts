/**
 * Telegram: Bot API `sendMessage` to each chat, plain text (no parse_mode, so alert text needs no
 * escaping). Text is 1–4096 characters; it is split counting UTF-16 units, which is never more
 * lenient than Telegram's own count, so no part is refused as too long. The bot token is a path
 * segment (/bot<token>/…): it is recorded as a secret so no error or answer can show it.
 */
import { sizeOf, splitMessage } from '../../template/split.js';
import { httpAnswer, postHttp, recordSecrets, redact, type HttpReply } from '../http.js';
import { DeliveryError, classifyHttpStatus, retryAfterMs, type Notifier, type SendContext, type SendResult } from '../notifier.js';
import { headerOf, jsonObjectOf, secondsToMs } from '../reply.js';
import { sendInOrder, sendToEach } from '../sequence.js';
import { configOf } from '../config-need.js';

export const TEXT_LIMIT = 4096;
const DEFAULT_API = 'https://api.telegram.org';

/** The parts for one chat: mentions lead the first. Pure. */
export function telegramParts(text: string, mentionedUsers: readonly string[] = []): string[] {
  const mentions = mentionedUsers.map((u) => (u.startsWith('@') ? u : `@${u}`)).join(' ');
  const prefix = mentions ? `${mentions}\n` : '';
  const parts = splitMessage(text, TEXT_LIMIT, { unit: 'utf16', suffixBytes: sizeOf(prefix, 'utf16') });
  return parts.map((part, i) => (i === 0 ? prefix + part : part));
}

/**
 * `{ok:true}` → the message id; otherwise a DeliveryError with Telegram's description. A success
 * echoes the whole message, so only its first 4 KiB are read: it is recognised without parsing.
 */
function answerOf(reply: HttpReply, secrets: readonly string[]): string {
  if (classifyHttpStatus(reply.status) === 'ok' && /^\s*\{\s*"ok"\s*:\s*true\b/.test(reply.body)) {
    const id = /"message_id"\s*:\s*(\d+)/.exec(reply.body)?.[1];
    return `HTTP ${reply.status} message ${id ?? '?'}`;
  }
  const body = jsonObjectOf(reply);
  const parameters = body?.['parameters'] as { retry_after?: unknown; migrate_to_chat_id?: unknown } | undefined;
  const movedTo = parameters?.migrate_to_chat_id;
  const moved = typeof movedTo === 'number' ? ` (the group is now chat ${movedTo}: update the receiver)` : '';
  const verdict = classifyHttpStatus(reply.status);
  const wait = reply.status === 429 ? (secondsToMs(parameters?.retry_after) ?? retryAfterMs(headerOf(reply, 'retry-after'))) : undefined;
  throw new DeliveryError(redact(`telegram sendMessage: ${httpAnswer(reply, secrets)}${moved}`, secrets), {
    // 200 with ok:false does not happen; if it did, the reply was not understood: retry.
    retryable: verdict !== 'terminal',
    why: { kind: 'status', status: reply.status },
    ...(wait !== undefined ? { retryAfterMs: wait } : {}),
  });
}

/** Errors that would repeat for every chat: the token (401, or 404 for a malformed one), rate limit, outage. */
const stops = (err: DeliveryError): boolean => err.retryable || /HTTP 40[14]\b/.test(err.message);

export class TelegramNotifier implements Notifier<'telegram'> {
  readonly channel = 'telegram' as const;

  async send(ctx: SendContext<'telegram'>): Promise<SendResult> {
    const { spec } = ctx.target;
    const config = configOf(ctx);
    const secrets = recordSecrets(ctx);
    const token = secrets.secret(config.telegramTokenSecret, 'spec.telegram.telegramTokenSecret');
    const url = `${(config.apiUrl ?? DEFAULT_API).replace(/\/+$/, '')}/bot${token}/sendMessage`;
    const template = spec.template ?? ctx.options.template;
    const parts = telegramParts(ctx.templates.render('text', template, ctx.data), spec.mentionedUsers);
    return sendToEach({
      what: 'telegram sendMessage',
      destinations: spec.channels,
      name: (chat) => chat,
      stops,
      send: (chat) =>
        sendInOrder(parts, async (text) => {
          const reply = await postHttp({
            url,
            body: JSON.stringify({ chat_id: chat, text }),
            headers: { 'content-type': 'application/json' },
            signal: ctx.signal,
            egress: ctx.egress,
            secrets: secrets.secrets,
          });
          return answerOf(reply, secrets.secrets);
        }, { progress: ctx.progress, scope: `chat ${chat}` }),
    });
  }
}
