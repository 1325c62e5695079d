/**
 * Microsoft Teams through a Workflows (Power Automate) webhook: the body is `{type:"message",
 * attachments:[Adaptive Card 1.4]}`, which the "post to a channel when a webhook request is
 * received" flow posts as a card; the trigger answers 202. The webhook URL carries its signature
 * in the query (`sig=`), so it is a credential and redacted everywhere. Teams refuses messages over
 * 28 KB, so the text is split into as many cards as needed, each under MESSAGE_LIMIT_BYTES of JSON
 * (1 KiB below 28 KiB for what the flow wraps around it), titled with their part numbers.
 */
import { splitMessage, utf8Length } from '../../template/split.js';
import { checkHttpReply, postHttp, queryTokensOf, recordSecrets } from '../http.js';
import { DeliveryError, type Notifier, type SendContext, type SendResult } from '../notifier.js';
import { resultOf, sendInOrder } from '../sequence.js';

export const MESSAGE_LIMIT_BYTES = 27 * 1024;
const MIN_CHUNK_BYTES = 256;

/** One TextBlock per line: Teams does not reliably break lines inside one block. */
function card(title: string, text: string, firing: boolean): Record<string, unknown> {
  const body: Record<string, unknown>[] = [
    { type: 'TextBlock', text: title, weight: 'Bolder', size: 'Medium', wrap: true, color: firing ? 'Attention' : 'Good' },
  ];
  let gap = false;
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      gap = true;
      continue;
    }
    body.push({ type: 'TextBlock', text: line, wrap: true, spacing: gap ? 'Medium' : 'None' });
    gap = false;
  }
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: { $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4', msteams: { width: 'Full' }, body },
      },
    ],
  };
}

const sizeOfJson = (value: unknown): number => utf8Length(JSON.stringify(value));

/**
 * The messages for one notification, each under `limit` bytes of JSON. JSON escaping and the
 * per-line blocks make the overhead depend on the text, so the chunk size shrinks until every
 * card fits. Pure.
 */
export function teamsMessages(args: { title: string; text: string; firing: boolean; limit?: number }): Record<string, unknown>[] {
  const limit = args.limit ?? MESSAGE_LIMIT_BYTES;
  let chunkBytes = limit - sizeOfJson(card(`${args.title} (99/99)`, '', args.firing));
  while (chunkBytes >= MIN_CHUNK_BYTES) {
    const chunks = splitMessage(args.text, chunkBytes);
    const messages = chunks.map((chunk, i) => card(chunks.length > 1 ? `${args.title} (${i + 1}/${chunks.length})` : args.title, chunk, args.firing));
    if (messages.every((m) => sizeOfJson(m) <= limit)) return messages;
    chunkBytes = Math.floor(chunkBytes * 0.75);
  }
  throw new DeliveryError(`teams: the title alone leaves no room in a ${limit}-byte message`, { retryable: false, why: { kind: 'template' } });
}

export class TeamsNotifier implements Notifier<'teams'> {
  readonly channel = 'teams' as const;

  async send(ctx: SendContext<'teams'>): Promise<SendResult> {
    const spec = ctx.target.spec;
    const secrets = recordSecrets(ctx);
    const url = secrets.secret(spec.webhook, 'spec.teams.webhook');
    if (!URL.canParse(url)) throw new DeliveryError('spec.teams.webhook is not a URL', { retryable: false, why: { kind: 'config' } });
    for (const token of queryTokensOf(url)) secrets.derived(token);
    const template = spec.template ?? ctx.options.template;
    const titleTemplate = spec.titleTemplate ?? ctx.options.titleTemplate;
    const messages = teamsMessages({
      title: ctx.templates.render('title', titleTemplate, ctx.data),
      text: ctx.templates.render('text', template, ctx.data),
      firing: ctx.data.status === 'firing',
    });
    const answers = await sendInOrder(messages, async (message) => {
      const reply = await postHttp({
        url,
        body: JSON.stringify(message),
        headers: { 'content-type': 'application/json' },
        signal: ctx.signal,
        egress: ctx.egress,
        secrets: secrets.secrets,
      });
      return checkHttpReply(reply, { what: 'teams workflow webhook', secrets: secrets.secrets });
    }, { progress: ctx.progress, scope: 'webhook' });
    return resultOf(answers);
  }
}
