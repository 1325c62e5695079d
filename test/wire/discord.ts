/**
 * A local stand-in for Discord's Execute Webhook (`POST /api/webhooks/<id>/<token>`), answering
 * as Discord does: 204, or 200 with the created message when `?wait=true`; 401 code 50027 for a
 * wrong token, 404 code 10015 for an unknown webhook, 400 code 50035 ("Invalid Form Body") when
 * content passes 2000 characters or an embed description 4096 (counted in code points, as
 * Discord's Python API does), 400 code 50006 for an empty message, and 429 with `retry_after`
 * (fractional seconds) in the body and a whole-second Retry-After header when rate limited.
 */
import { json, startHttpServer, type RecordedRequest, type Reply } from './http-server.js';

interface DiscordMessage {
  content?: string;
  embeds?: { title?: string; description?: string; color?: number }[];
  allowed_mentions?: { parse?: string[]; users?: string[]; roles?: string[] };
}

export interface FakeDiscord {
  /** The webhook URL to configure: `<origin>/api/webhooks/<id>/<token>`. */
  webhookUrl: string;
  origin: string;
  /** Accepted messages, in arrival order. */
  messages: DiscordMessage[];
  requests: RecordedRequest[];
  mode: 'ok' | 'ratelimited' | 'unavailable';
  /** Rate-limit every request once this many messages were accepted. */
  rateLimitAfter?: number;
  close(): Promise<void>;
}

const chars = (s: string | undefined): number => [...(s ?? '')].length;

function formError(field: string, max: number): Reply {
  const errors = { code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${max} or fewer in length.` };
  return json(400, { code: 50035, errors: { [field]: { _errors: [errors] } }, message: 'Invalid Form Body' });
}

/** The message checks Discord applies before it creates anything. */
function validate(message: DiscordMessage): Reply | undefined {
  if (chars(message.content) > 2000) return formError('content', 2000);
  for (const [i, embed] of (message.embeds ?? []).entries()) {
    if (chars(embed.description) > 4096) return formError(`embeds.${i}.description`, 4096);
    if (chars(embed.title) > 256) return formError(`embeds.${i}.title`, 256);
  }
  if (!message.content && (message.embeds ?? []).length === 0) return json(400, { message: 'Cannot send an empty message', code: 50006 });
  return undefined;
}

export async function startFakeDiscord(opts: { id: string; token: string }): Promise<FakeDiscord> {
  const messages: DiscordMessage[] = [];
  let nextId = 1_200_000_000_000_000_000n;
  const execute = (req: RecordedRequest, url: URL): Reply => {
    const [, api, webhooks, id, token] = url.pathname.split('/');
    if (api !== 'api' || webhooks !== 'webhooks' || id !== opts.id) return json(404, { message: 'Unknown Webhook', code: 10015 });
    if (token !== opts.token) return json(401, { message: 'Invalid Webhook Token', code: 50027 });
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return json(400, { message: 'Cannot send an empty message', code: 50006 });
    const message = JSON.parse(req.body) as DiscordMessage;
    const invalid = validate(message);
    if (invalid) return invalid;
    messages.push(message);
    nextId += 1n;
    if (url.searchParams.get('wait') !== 'true') return { status: 204 };
    return json(200, { id: String(nextId), type: 0, channel_id: '1100', webhook_id: opts.id, content: message.content ?? '', embeds: message.embeds ?? [] });
  };
  const handle = (req: RecordedRequest): Reply => {
    const url = new URL(req.url, 'http://discord.local');
    if (req.method !== 'POST') return json(405, { message: '405: Method Not Allowed', code: 0 });
    if (fake.mode === 'ratelimited' || messages.length >= (fake.rateLimitAfter ?? Infinity)) {
      return json(429, { message: 'You are being rate limited.', retry_after: 1.5, global: false }, { 'retry-after': '2', 'x-ratelimit-scope': 'user' });
    }
    if (fake.mode === 'unavailable') return { status: 502, headers: { 'content-type': 'text/html' }, body: '<html><body>502 Bad Gateway</body></html>' };
    return execute(req, url);
  };
  const server = await startHttpServer({ handler: (req) => handle(req) });
  const fake: FakeDiscord = {
    webhookUrl: `${server.origin}/api/webhooks/${opts.id}/${opts.token}`,
    origin: server.origin,
    messages,
    requests: server.requests,
    mode: 'ok',
    close: () => server.close(),
  };
  return fake;
}
