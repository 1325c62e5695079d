/**
 * A local stand-in for the WeChat Work API under `/cgi-bin/`, answering as WeChat does: HTTP 200
 * with `{errcode, errmsg, …}`.
 * - `GET gettoken?corpid&corpsecret`: a new access_token with `expires_in`, or 40013 / 40001.
 * - `POST message/send?access_token`: checks the token (40014 unknown, 42001 expired), agentid,
 *   msgtype and content (44004 empty, 40058 over 2048 bytes), recipient counts (over 1000 users or
 *   100 parties/tags: 40058) and reports unknown users/parties/tags in `invaliduser`/`invalidparty`/
 *   `invalidtag`, or 81013 when none is valid. Honours `enable_duplicate_check` like WeChat does.
 * - `POST webhook/send?key`: the group bot (93000 for a wrong key), text (2048 bytes) with
 *   mention lists or markdown (4096 bytes), and its limit of 20 messages a minute (45009).
 * `mode` makes it answer -1 (system busy) or 45009 (frequency limit) to message/send.
 */
import { json, startHttpServer, type RecordedRequest, type Reply } from './http-server.js';

/** UTF-8 size as the provider measures it, computed independently of the notifier's own helper. */
const utf8Length = (text: string): number => Buffer.byteLength(text, 'utf8');

interface WechatAppMessage {
  touser?: string;
  toparty?: string;
  totag?: string;
  msgtype: string;
  agentid: number;
  content: string;
}

interface WechatBotMessage {
  msgtype: string;
  content: string;
  mentioned_list?: string[];
  mentioned_mobile_list?: string[];
}

export interface FakeWechat {
  /** `<origin>/cgi-bin/`, the Config's wechatApiUrl. */
  apiUrl: string;
  /** The bot webhook URL with the right key. */
  botUrl: string;
  /** Delivered app messages and bot messages, in arrival order. */
  messages: WechatAppMessage[];
  botMessages: WechatBotMessage[];
  /** Tokens handed out by gettoken. */
  tokensIssued: string[];
  requests: RecordedRequest[];
  mode: 'ok' | 'busy' | 'freq';
  /** Answer -1 (system busy) once, to the message/send that would deliver message number busyAt + 1. */
  busyAt: number | undefined;
  /** Makes every token issued so far expired (the next message/send answers 42001). */
  expireTokens(): void;
  close(): Promise<void>;
}

interface Options {
  corpId: string;
  corpSecret: string;
  agentId: number;
  botKey: string;
  /** Known IDs; anything else is invalid. */
  users: string[];
  parties?: string[];
  tags?: string[];
  /** expires_in of issued tokens, seconds (7200 like WeChat). */
  expiresIn?: number;
  /** The clock of the bot's 20-per-minute window. */
  now?: () => number;
}

const APP_LIMIT = 2048;
const BOT_LIMITS: Record<string, number> = { text: 2048, markdown: 4096 };

function bodyOf(req: RecordedRequest): Record<string, unknown> | undefined {
  try {
    return JSON.parse(req.body) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

const err = (errcode: number, errmsg: string): Reply => json(200, { errcode, errmsg });

function contentOf(body: Record<string, unknown>): string | undefined {
  const msgtype = body['msgtype'];
  const block = typeof msgtype === 'string' ? (body[msgtype] as { content?: unknown } | undefined) : undefined;
  return typeof block?.content === 'string' ? block.content : undefined;
}

/** Splits `a|b|c` and keeps the unknown ones. */
function unknown(list: unknown, known: readonly string[]): { ids: string[]; invalid: string[] } {
  const ids = typeof list === 'string' && list !== '' ? list.split('|') : [];
  return { ids, invalid: ids.filter((id) => id !== '@all' && !known.includes(id)) };
}

function checkAppMessage(body: Record<string, unknown>, agentId: number): Reply | undefined {
  if (body['agentid'] !== agentId) return err(40056, 'invalid agentid');
  const content = contentOf(body);
  if (!content) return err(44004, 'empty content');
  if (utf8Length(content) > APP_LIMIT) return err(40058, `${String(body['msgtype'])}.content exceed max length ${APP_LIMIT}`);
  return undefined;
}

function checkBotMessage(body: Record<string, unknown> | undefined, msgtype: string): Reply | undefined {
  const content = body ? contentOf(body) : undefined;
  const limit = BOT_LIMITS[msgtype];
  if (!content || limit === undefined) return err(40008, 'invalid message type');
  if (utf8Length(content) > limit) return err(40058, `${msgtype}.content exceed max length ${limit}`);
  return undefined;
}

export async function startFakeWechat(opts: Options): Promise<FakeWechat> {
  const tokens = new Map<string, { expired: boolean }>();
  const seen = new Set<string>();
  const botTimes: number[] = [];
  const now = opts.now ?? Date.now;
  let serial = 0;

  const gettoken = (query: URLSearchParams): Reply => {
    if (query.get('corpid') !== opts.corpId) return err(40013, 'invalid corpid');
    if (query.get('corpsecret') !== opts.corpSecret) return err(40001, 'invalid secret');
    const token = `tok-${++serial}-${'x'.repeat(16)}`;
    tokens.set(token, { expired: false });
    fake.tokensIssued.push(token);
    return json(200, { errcode: 0, errmsg: 'ok', access_token: token, expires_in: opts.expiresIn ?? 7200 });
  };

  const checkToken = (query: URLSearchParams): Reply | undefined => {
    const token = query.get('access_token');
    if (!token) return err(41001, 'access_token missing');
    const t = tokens.get(token);
    if (!t) return err(40014, 'invalid access_token');
    return t.expired ? err(42001, 'access_token expired') : undefined;
  };

  const recipients = (body: Record<string, unknown>): Reply | Record<string, string> => {
    const users = unknown(body['touser'], opts.users);
    const parties = unknown(body['toparty'], opts.parties ?? []);
    const tags = unknown(body['totag'], opts.tags ?? []);
    if (users.ids.length > 1000 || parties.ids.length > 100 || tags.ids.length > 100) return err(40058, 'too many receivers');
    const valid = users.ids.length + parties.ids.length + tags.ids.length - users.invalid.length - parties.invalid.length - tags.invalid.length;
    if (valid === 0) return err(81013, 'user & party & tag all invalid');
    return { invaliduser: users.invalid.join('|'), invalidparty: parties.invalid.join('|'), invalidtag: tags.invalid.join('|') };
  };

  const send = (query: URLSearchParams, req: RecordedRequest): Reply => {
    const tokenError = checkToken(query);
    if (tokenError) return tokenError;
    if (fake.mode === 'busy') return err(-1, 'system busy');
    if (fake.busyAt !== undefined && fake.messages.length === fake.busyAt) {
      fake.busyAt = undefined;
      return err(-1, 'system busy');
    }
    if (fake.mode === 'freq') return err(45009, 'api freq out of limit');
    const body = bodyOf(req);
    if (!body) return err(40003, 'Warning: wrong json format.');
    const invalid = checkAppMessage(body, opts.agentId);
    if (invalid) return invalid;
    const content = contentOf(body) ?? '';
    const to = recipients(body);
    if ('status' in to) return to as Reply;
    // enable_duplicate_check: the same request within the interval is accepted but not delivered again.
    const duplicate = body['enable_duplicate_check'] === 1 && seen.has(req.body);
    seen.add(req.body);
    if (!duplicate) {
      const { touser, toparty, totag } = body as { touser?: string; toparty?: string; totag?: string };
      fake.messages.push({ touser, toparty, totag, msgtype: String(body['msgtype']), agentid: opts.agentId, content });
    }
    return json(200, { errcode: 0, errmsg: 'ok', ...to, msgid: `msg-${fake.messages.length}` });
  };

  const bot = (query: URLSearchParams, req: RecordedRequest): Reply => {
    if (query.get('key') !== opts.botKey) return err(93000, 'invalid webhook url');
    const t = now();
    while (botTimes.length > 0 && (botTimes[0] ?? 0) <= t - 60_000) botTimes.shift();
    if (botTimes.length >= 20) return err(45009, 'api freq out of limit');
    const body = bodyOf(req);
    const msgtype = String(body?.['msgtype']);
    const invalid = checkBotMessage(body, msgtype);
    if (invalid) return invalid;
    botTimes.push(t);
    const block = body?.[msgtype] as Omit<WechatBotMessage, 'msgtype'>;
    fake.botMessages.push({ msgtype, ...block });
    return err(0, 'ok');
  };

  const handle = (req: RecordedRequest): Reply => {
    const url = new URL(req.url, 'http://x');
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /cgi-bin/gettoken') return gettoken(url.searchParams);
    if (route === 'POST /cgi-bin/message/send') return send(url.searchParams, req);
    if (route === 'POST /cgi-bin/webhook/send') return bot(url.searchParams, req);
    return { status: 404, body: 'not found' };
  };

  const server = await startHttpServer({ handler: (req) => handle(req) });
  const fake: FakeWechat = {
    apiUrl: `${server.origin}/cgi-bin/`,
    botUrl: `${server.origin}/cgi-bin/webhook/send?key=${opts.botKey}`,
    messages: [],
    botMessages: [],
    tokensIssued: [],
    requests: server.requests,
    mode: 'ok',
    busyAt: undefined,
    expireTokens: () => {
      for (const t of tokens.values()) t.expired = true;
    },
    close: () => server.close(),
  };
  return fake;
}
