/**
 * A local stand-in for the Telegram Bot API's `POST /bot<token>/sendMessage`, answering as
 * Telegram does: `{ok:true, result: Message}`, or `{ok:false, error_code, description}` with the
 * same HTTP status — 401 "Unauthorized" (wrong token), 404 "Not Found" (unknown method), 400
 * "Bad Request: chat not found" / "message is too long" / "message text is empty", 403 "Forbidden:
 * bot was blocked by the user", 400 with `parameters.migrate_to_chat_id` for a group upgraded to a
 * supergroup, and 429 "Too Many Requests: retry after N" with `parameters.retry_after`.
 * Text length is counted in code points, as the live API was measured to count it.
 */
import { json, startHttpServer, type RecordedRequest, type Reply } from './http-server.js';

interface TelegramMessage {
  chat_id: string;
  text: string;
}

export interface FakeTelegram {
  /** Base URL for TelegramConfig.apiUrl. */
  apiUrl: string;
  messages: TelegramMessage[];
  requests: RecordedRequest[];
  mode: 'ok' | 'ratelimited' | 'unavailable';
  close(): Promise<void>;
}

const failure = (status: number, description: string, parameters?: Record<string, number>): Reply =>
  json(status, { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) }, parameters?.['retry_after'] ? { 'retry-after': String(parameters['retry_after']) } : {});

function paramsOf(req: RecordedRequest): Record<string, unknown> {
  if ((req.headers['content-type'] ?? '').startsWith('application/json')) return JSON.parse(req.body) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(req.body));
}

export interface TelegramChats {
  /** chat_id (numeric string or @name) → chat id Telegram reports. */
  known: Record<string, number>;
  blocked?: string[];
  /** chat_id → the supergroup it became. */
  migrated?: Record<string, number>;
}

export async function startFakeTelegram(opts: { token: string; chats: TelegramChats }): Promise<FakeTelegram> {
  const messages: TelegramMessage[] = [];
  let messageId = 100;
  const sendMessage = (req: RecordedRequest): Reply => {
    const params = paramsOf(req);
    const raw = params['chat_id'];
    const chat = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : '';
    const text = typeof params['text'] === 'string' ? params['text'] : '';
    const migrated = opts.chats.migrated?.[chat];
    if (migrated !== undefined) return failure(400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: migrated });
    const id = opts.chats.known[chat];
    if (id === undefined) return failure(400, 'Bad Request: chat not found');
    if (opts.chats.blocked?.includes(chat)) return failure(403, 'Forbidden: bot was blocked by the user');
    if (text === '') return failure(400, 'Bad Request: message text is empty');
    if ([...text].length > 4096) return failure(400, 'Bad Request: message is too long');
    messages.push({ chat_id: chat, text });
    messageId += 1;
    return json(200, {
      ok: true,
      result: { message_id: messageId, from: { id: 42, is_bot: true, first_name: 'Herald', username: 'herald_bot' }, chat: { id, type: 'group', title: chat }, date: 1714557600, text },
    });
  };
  const handle = (req: RecordedRequest): Reply => {
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url);
    if (!match || match[1] !== opts.token) return failure(401, 'Unauthorized');
    if (match[2] !== 'sendMessage' || req.method !== 'POST') return failure(404, 'Not Found');
    if (fake.mode === 'ratelimited') return failure(429, 'Too Many Requests: retry after 5', { retry_after: 5 });
    if (fake.mode === 'unavailable') return { status: 502, headers: { 'content-type': 'text/html' }, body: '<html><h1>502 Bad Gateway</h1></html>' };
    return sendMessage(req);
  };
  const server = await startHttpServer({ handler: (req) => handle(req) });
  const fake: FakeTelegram = { apiUrl: server.origin, messages, requests: server.requests, mode: 'ok', close: () => server.close() };
  return fake;
}
