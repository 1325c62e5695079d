/**
 * A local stand-in for DingTalk's `oapi.dingtalk.com`, answering as DingTalk does: HTTP 200 with
 * `{errcode, errmsg}`.
 * - `POST /robot/send?access_token[&timestamp&sign]`: a custom robot. 300001 for an unknown token;
 *   with a signing secret, recomputes the signature (HMAC-SHA256 keyed with the secret over
 *   `timestamp\nsecret`, base64) and answers 310000 for a wrong one or a timestamp more than an hour
 *   off; 310000 "keywords not in content" when no keyword is in the message; 460101 for a body over
 *   20000 bytes; 130101 past 20 messages a minute.
 * - `GET /gettoken?appkey&appsecret` and `POST /chat/send?access_token` `{chatid, msg}` for the
 *   conversation API (40014 unknown token, 42001 expired, 40035 unknown chat, -1 in `busy` mode).
 */
import { createHmac } from 'node:crypto';
import { json, startHttpServer, type RecordedRequest, type Reply } from './http-server.js';

/** UTF-8 size as the provider measures it, computed independently of the notifier's own helper. */
const utf8Length = (text: string): number => Buffer.byteLength(text, 'utf8');

interface DingTalkRobotMessage {
  msgtype: string;
  content: string;
  title?: string;
  at?: { atMobiles?: string[]; atUserIds?: string[]; isAtAll?: boolean };
  /** Clock time the robot received it. */
  at_ms: number;
}

interface DingTalkChatMessage {
  chatid: string;
  msgtype: string;
  content: string;
  title?: string;
}

export interface FakeDingTalk {
  /** Base URL for the Config's apiUrl. */
  apiUrl: string;
  /** The robot's webhook URL (with its access_token). */
  robotUrl: string;
  robotMessages: DingTalkRobotMessage[];
  chatMessages: DingTalkChatMessage[];
  tokensIssued: string[];
  requests: RecordedRequest[];
  mode: 'ok' | 'busy';
  expireTokens(): void;
  close(): Promise<void>;
}

interface Options {
  robotToken: string;
  /** The robot's signing secret (SEC…); unset means the robot does not sign. */
  secret?: string;
  keywords?: string[];
  appkey: string;
  appsecret: string;
  chats: string[];
  now?: () => number;
}

const err = (errcode: number, errmsg: string): Reply => json(200, { errcode, errmsg });

function parse(body: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function textOf(msg: Record<string, unknown>): { msgtype: string; content: string } | undefined {
  const content = (msg['text'] as { content?: unknown } | undefined)?.content;
  return typeof content === 'string' && content !== '' ? { msgtype: 'text', content } : undefined;
}

function markdownOf(msg: Record<string, unknown>): { msgtype: string; content: string; title: string } | undefined {
  const md = msg['markdown'] as { title?: unknown; text?: unknown } | undefined;
  if (typeof md?.title !== 'string' || typeof md.text !== 'string' || md.text === '') return undefined;
  return { msgtype: 'markdown', content: md.text, title: md.title };
}

/** msgtype, content and title of a robot or chat message. */
function messageOf(msg: Record<string, unknown> | undefined): { msgtype: string; content: string; title?: string } | undefined {
  if (msg?.['msgtype'] === 'text') return textOf(msg);
  if (msg?.['msgtype'] === 'markdown') return markdownOf(msg);
  return undefined;
}

function hasKeyword(msg: { content: string; title?: string }, keywords: readonly string[]): boolean {
  return keywords.length === 0 || keywords.some((k) => msg.content.includes(k) || (msg.title ?? '').includes(k));
}

/** Drops sends older than a minute; true when the robot may take one more (20 a minute). */
function roomInMinute(times: number[], t: number): boolean {
  while (times.length > 0 && (times[0] ?? 0) <= t - 60_000) times.shift();
  return times.length < 20;
}

function checkSignature(query: URLSearchParams, secret: string, now: number): Reply | undefined {
  const timestamp = Number(query.get('timestamp'));
  const sign = query.get('sign');
  if (!Number.isFinite(timestamp) || !sign) return err(310000, 'sign not match');
  if (Math.abs(now - timestamp) > 3600_000) return err(310000, 'invalid timestamp');
  const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
  return sign === expected ? undefined : err(310000, 'sign not match');
}

export async function startFakeDingTalk(opts: Options): Promise<FakeDingTalk> {
  const now = opts.now ?? Date.now;
  const tokens = new Map<string, { expired: boolean }>();
  const robotTimes: number[] = [];
  let serial = 0;

  const robot = (query: URLSearchParams, req: RecordedRequest): Reply => {
    if (query.get('access_token') !== opts.robotToken) return err(300001, 'token is not exist');
    const t = now();
    if (opts.secret !== undefined) {
      const bad = checkSignature(query, opts.secret, t);
      if (bad) return bad;
    }
    if (!roomInMinute(robotTimes, t)) return err(130101, 'send too fast, exceed 20 times per minute');
    if (utf8Length(req.body) > 20_000) return err(460101, 'message too long, exceed 20000 bytes');
    const body = parse(req.body);
    const msg = messageOf(body);
    if (!msg) return err(40035, 'missing or illegal message');
    if (!hasKeyword(msg, opts.keywords ?? [])) return err(310000, 'keywords not in content');
    robotTimes.push(t);
    fake.robotMessages.push({ ...msg, at: body?.['at'] as DingTalkRobotMessage['at'], at_ms: t });
    return err(0, 'ok');
  };

  const gettoken = (query: URLSearchParams): Reply => {
    if (query.get('appkey') !== opts.appkey || query.get('appsecret') !== opts.appsecret) return err(40089, 'invalid appkey or appsecret');
    const token = `dt-${++serial}-${'y'.repeat(16)}`;
    tokens.set(token, { expired: false });
    fake.tokensIssued.push(token);
    return json(200, { errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 });
  };

  const chatSend = (query: URLSearchParams, req: RecordedRequest): Reply => {
    const token = tokens.get(query.get('access_token') ?? '');
    if (!token) return err(40014, 'invalid access_token');
    if (token.expired) return err(42001, 'access_token expired');
    if (fake.mode === 'busy') return err(-1, 'system busy');
    const body = parse(req.body);
    const chatid = body?.['chatid'];
    if (typeof chatid !== 'string' || !opts.chats.includes(chatid)) return err(40035, 'invalid chatid');
    const msg = messageOf(body?.['msg'] as Record<string, unknown> | undefined);
    if (!msg) return err(40035, 'missing or illegal msg');
    fake.chatMessages.push({ chatid, ...msg });
    return json(200, { errcode: 0, errmsg: 'ok', messageId: `msg${fake.chatMessages.length}` });
  };

  const handle = (req: RecordedRequest): Reply => {
    const url = new URL(req.url, 'http://x');
    const route = `${req.method} ${url.pathname}`;
    if (route === 'POST /robot/send') return robot(url.searchParams, req);
    if (route === 'GET /gettoken') return gettoken(url.searchParams);
    if (route === 'POST /chat/send') return chatSend(url.searchParams, req);
    return { status: 404, body: 'not found' };
  };

  const server = await startHttpServer({ handler: (req) => handle(req) });
  const fake: FakeDingTalk = {
    apiUrl: `${server.origin}/`,
    robotUrl: `${server.origin}/robot/send?access_token=${opts.robotToken}`,
    robotMessages: [],
    chatMessages: [],
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
