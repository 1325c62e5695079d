/**
 * A local stand-in for Feishu's open platform under `/open-apis/`, answering as Feishu does with
 * `{code, msg, data}`.
 * - `POST auth/v3/tenant_access_token/internal` `{app_id, app_secret}`: `tenant_access_token` and
 *   `expire`, or 10014 for a wrong secret.
 * - `POST message/v4/batch_send/` with `Authorization: Bearer`: HTTP 400 and 99991663 for an
 *   unknown or expired token; at most 200 user_ids and 200 department_ids (10003 otherwise);
 *   unknown IDs in `invalid_user_ids` / `invalid_department_ids`; in `ratelimited` mode HTTP 400,
 *   99991400 and `x-ogw-ratelimit-reset`. Bodies over 150 KB (text) or 30 KB (post) are refused.
 * - `POST bot/v2/hook/<token>`: a custom bot; recomputes the signature (key `timestamp\nsecret`,
 *   empty message, base64) and answers 19021 for a wrong one or a timestamp more than an hour
 *   off, 19024 when no keyword is in the message, 9499 past 5 a second or 100 a minute.
 */
import { createHmac } from 'node:crypto';
import { json, startHttpServer, type RecordedRequest, type Reply } from './http-server.js';

/** UTF-8 size as the provider measures it, computed independently of the notifier's own helper. */
const utf8Length = (text: string): number => Buffer.byteLength(text, 'utf8');

interface FeishuAppMessage {
  user_ids?: string[];
  department_ids?: string[];
  msg_type: string;
  content: Record<string, unknown>;
}

interface FeishuBotMessage {
  msg_type: string;
  content: Record<string, unknown>;
  at_ms: number;
}

export interface FakeFeishu {
  apiUrl: string;
  botUrl: string;
  appMessages: FeishuAppMessage[];
  botMessages: FeishuBotMessage[];
  tokensIssued: string[];
  requests: RecordedRequest[];
  mode: 'ok' | 'ratelimited';
  expireTokens(): void;
  close(): Promise<void>;
}

interface Options {
  appId: string;
  appSecret: string;
  users: string[];
  departments: string[];
  botToken: string;
  botSecret?: string;
  keywords?: string[];
  now?: () => number;
}

const reply = (code: number, msg: string, data: Record<string, unknown> = {}, status = 200): Reply => json(status, { code, msg, data });
const LIMITS: Record<string, number> = { text: 150 * 1024, post: 30 * 1024 };

function parse(body: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Every text in a text or post content, for the keyword check. */
function textsOf(content: Record<string, unknown>): string {
  return JSON.stringify(content);
}

function botSignatureError(body: Record<string, unknown>, secret: string, nowMs: number): Reply | undefined {
  const ts = Number(body['timestamp']);
  const sign = body['sign'];
  const fail = reply(19021, 'sign match fail or timestamp is not within one hour from current time');
  if (!Number.isFinite(ts) || typeof sign !== 'string' || Math.abs(nowMs / 1000 - ts) > 3600) return fail;
  const expected = createHmac('sha256', `${ts}\n${secret}`).update('').digest('base64');
  return sign === expected ? undefined : fail;
}

/** Drops entries outside the minute; true when the bot may take one more (5 a second, 100 a minute). */
function botHasRoom(times: number[], t: number): boolean {
  while (times.length > 0 && (times[0] ?? 0) <= t - 60_000) times.shift();
  return times.length < 100 && times.filter((x) => x > t - 1000).length < 5;
}

function unknownIds(ids: unknown, known: readonly string[]): string[] {
  return Array.isArray(ids) ? ids.map(String).filter((id) => !known.includes(id)) : [];
}

export async function startFakeFeishu(opts: Options): Promise<FakeFeishu> {
  const now = opts.now ?? Date.now;
  const tokens = new Map<string, { expired: boolean }>();
  const botTimes: number[] = [];
  let serial = 0;

  const tenantToken = (req: RecordedRequest): Reply => {
    const body = parse(req.body);
    if (body?.['app_id'] !== opts.appId || body['app_secret'] !== opts.appSecret) return reply(10014, 'app secret invalid');
    const token = `t-${++serial}-${'z'.repeat(16)}`;
    tokens.set(token, { expired: false });
    fake.tokensIssued.push(token);
    return json(200, { code: 0, msg: 'ok', tenant_access_token: token, expire: 7200 });
  };

  const batchSend = (req: RecordedRequest): Reply => {
    const token = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (!token || token.expired) return reply(99991663, 'Invalid access token for authorization. Please make a request with token attached.', {}, 400);
    if (fake.mode === 'ratelimited') return { ...reply(99991400, 'request trigger frequency limit', {}, 400), headers: { 'content-type': 'application/json', 'x-ogw-ratelimit-reset': '3' } };
    const body = parse(req.body) ?? {};
    const msgType = String(body['msg_type']);
    const users = (body['user_ids'] as string[] | undefined) ?? [];
    const departments = (body['department_ids'] as string[] | undefined) ?? [];
    if (users.length > 200 || departments.length > 200) return reply(10003, 'invalid param: too many ids', {}, 400);
    if (utf8Length(req.body) > (LIMITS[msgType] ?? 0)) return reply(10003, 'invalid param: content too long', {}, 400);
    fake.appMessages.push(body as unknown as FeishuAppMessage);
    return reply(0, 'ok', {
      message_id: `bm-${fake.appMessages.length}`,
      invalid_user_ids: unknownIds(body['user_ids'], opts.users),
      invalid_department_ids: unknownIds(body['department_ids'], opts.departments),
      invalid_open_ids: [],
    });
  };

  const bot = (token: string, req: RecordedRequest): Reply => {
    if (token !== opts.botToken) return reply(19001, 'param invalid: incoming webhook access token invalid');
    const body = parse(req.body) ?? {};
    const t = now();
    if (opts.botSecret !== undefined) {
      const bad = botSignatureError(body, opts.botSecret, t);
      if (bad) return bad;
    }
    if (!botHasRoom(botTimes, t)) return reply(9499, 'too many request');
    if (utf8Length(req.body) > 20 * 1024) return reply(9499, 'Bad Request', {}, 400);
    const content = (body['content'] ?? {}) as Record<string, unknown>;
    const keywords = opts.keywords ?? [];
    if (keywords.length > 0 && !keywords.some((k) => textsOf(content).includes(k))) return reply(19024, 'Key Words Not Found');
    botTimes.push(t);
    fake.botMessages.push({ msg_type: String(body['msg_type']), content, at_ms: t });
    return json(200, { StatusCode: 0, StatusMessage: 'success', code: 0, data: {}, msg: 'success' });
  };

  const handle = (req: RecordedRequest): Reply => {
    const { pathname } = new URL(req.url, 'http://x');
    if (req.method !== 'POST') return { status: 405, body: 'method not allowed' };
    if (pathname === '/open-apis/auth/v3/tenant_access_token/internal') return tenantToken(req);
    if (pathname === '/open-apis/message/v4/batch_send/') return batchSend(req);
    if (pathname.startsWith('/open-apis/bot/v2/hook/')) return bot(pathname.slice('/open-apis/bot/v2/hook/'.length), req);
    return { status: 404, body: '404 page not found' };
  };

  const server = await startHttpServer({ handler: (req) => handle(req) });
  const fake: FakeFeishu = {
    apiUrl: `${server.origin}/`,
    botUrl: `${server.origin}/open-apis/bot/v2/hook/${opts.botToken}`,
    appMessages: [],
    botMessages: [],
    tokensIssued: [],
    requests: server.requests,
    mode: 'ok',
    expireTokens: () => {
      for (const t of tokens.values()) t.expired = true;
    },
    close: () => server.close(),
  };
  return fake;
}
