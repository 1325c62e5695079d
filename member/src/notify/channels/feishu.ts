/**
 * Feishu (飞书; Lark with apiUrl https://open.larksuite.com/): the app API and the custom bot.
 * - App: `tenant_access_token` from `auth/v3/tenant_access_token/internal` (cached until shortly
 *   before `expire`, refreshed once on an invalid-token code), then `message/v4/batch_send/` to
 *   user_ids and department_ids, at most 200 of each per request. Invalid IDs Feishu reports are
 *   named in the answer. Request bodies: text up to 150 KB, post up to 30 KB.
 * - Bot: signed when a secret is set (the HMAC-SHA256 key is `timestamp\nsecret`, the message is
 *   empty, base64; timestamp in seconds, within an hour), keywords appended to a chunk that has
 *   none, request body at most 20 KB, at most 100 messages a minute and 5 a second per bot.
 * `tmplType: post` sends a rich-text post titled by the `title` template, one paragraph per line;
 * a template that renders a post JSON object itself (NM's `nm.feishu.post` style) is sent as is.
 */
import { createHmac } from 'node:crypto';
import { DeliveryError, retryAfterMs, type Notifier, type SendContext, type SendResult } from '../notifier.js';
import { recordSecrets, type HttpReply, type SecretRecorder } from '../http.js';
import { codeError, describeCode, requestCode, type CodeReply, type ReplyContext } from '../code-reply.js';
import { fitChunks, jsonBytes, withKeywords } from '../fit-chunks.js';
import { partsOrFailure, runParts, type Part } from '../parts.js';
import { durationOption, paced, waitBudgetMs, type RateLimit } from '../send-window.js';
import { tokenKey, withFreshToken, type FetchedToken, type TokenSource } from '../token-cache.js';
import { AppNotifier, renderMessage } from '../app-notifier.js';
import { configOf } from '../config-need.js';

type FeishuSpec = SendContext<'feishu'>['target']['spec'];

const DEFAULT_API = 'https://open.feishu.cn/';
/** Request-body limits: app text 150 KB, app post 30 KB, custom bot 20 KB. */
const APP_MAX_BYTES = { text: 150 * 1024, post: 30 * 1024 } as const;
const BOT_MAX_BYTES = 20 * 1024;
/** batch_send: at most 200 user_ids and 200 department_ids per request. */
const BATCH = 200;
/** A custom bot takes 100 messages a minute and 5 a second. */
const BOT_LIMITS: RateLimit[] = [
  { threshold: 100, unitMs: 60_000 },
  { threshold: 5, unitMs: 1_000 },
];
const BOT_MAX_WAIT_MS = 10_000;
/** 99991661 token missing, 99991663 tenant token invalid, 99991668 token invalid. */
const TOKEN_ERRORS = new Set([99991661, 99991663, 99991668]);
/** 99991400 API rate limit, 9499 too many requests, 11232 frequency limited (system load). */
const RETRYABLE = new Map<number, number>([
  [99991400, 1_000],
  [9499, 1_000],
  [11232, 10_000],
]);

interface Verdict {
  retryable: boolean;
  retryAfterMs?: number | undefined;
}

function verdictOf(code: number, reply: HttpReply): Verdict {
  const wait = RETRYABLE.get(code);
  if (wait === undefined) return { retryable: reply.status >= 500 };
  // Feishu says when its rate-limit window resets, in seconds.
  const reset = reply.headers['x-ogw-ratelimit-reset'];
  return { retryable: true, retryAfterMs: retryAfterMs(Array.isArray(reset) ? reset[0] : reset) ?? wait };
}

function replyContext(what: string, secrets: SecretRecorder): ReplyContext {
  return { api: 'feishu', what, secrets: secrets.secrets, codeField: 'code', msgField: 'msg' };
}

/** Feishu's bot signature: HMAC-SHA256 keyed with `timestamp\nsecret` over an empty message, base64. */
export function botSign(timestampSeconds: number, secret: string): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

/** A post object rendered by a template (`{"zh_cn": …}` or `{"post": {…}}`), if the text is one. */
function renderedPost(text: string): Record<string, unknown> | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const obj = value as Record<string, unknown>;
    return 'post' in obj ? obj : { post: obj };
  } catch {
    return undefined;
  }
}

/** A post of one paragraph per line. */
export function postContent(title: string, text: string): Record<string, unknown> {
  const paragraphs = text.split('\n').map((line) => [{ tag: 'text', text: line }]);
  return { post: { zh_cn: { title, content: paragraphs } } };
}

interface Message {
  text: string;
  title: string;
  post: boolean;
  secrets: SecretRecorder;
}

/** `{msg_type, content}` envelopes of the message, each within `maxBytes` once `wrap` adds the rest of the body. */
function contents(m: Message, maxBytes: number, wrap: (content: Record<string, unknown>, msgType: string) => unknown, keywords?: string[]): Array<{ msgType: string; content: Record<string, unknown> }> {
  const msgType = m.post ? 'post' : 'text';
  const rendered = m.post ? renderedPost(m.text) : undefined;
  if (rendered) return [{ msgType, content: rendered }];
  const contentOf = (chunk: string): Record<string, unknown> => {
    const text = withKeywords(chunk, keywords);
    return m.post ? postContent(m.title, text) : { text };
  };
  return fitChunks(m.text, maxBytes, (c) => jsonBytes(wrap(contentOf(c), msgType))).map((c) => ({ msgType, content: contentOf(c) }));
}

/** Batches of at most 200 users and 200 departments. */
export function recipientBatches(spec: Pick<FeishuSpec, 'user' | 'department'>): Array<{ user_ids?: string[]; department_ids?: string[] }> {
  const users = spec.user ?? [];
  const departments = spec.department ?? [];
  const count = Math.max(Math.ceil(users.length / BATCH), Math.ceil(departments.length / BATCH));
  return Array.from({ length: count }, (_, i) => {
    const u = users.slice(i * BATCH, (i + 1) * BATCH);
    const d = departments.slice(i * BATCH, (i + 1) * BATCH);
    return { ...(u.length > 0 ? { user_ids: u } : {}), ...(d.length > 0 ? { department_ids: d } : {}) };
  });
}

export class FeishuNotifier extends AppNotifier implements Notifier<'feishu'> {
  readonly channel = 'feishu' as const;

  async send(ctx: SendContext<'feishu'>): Promise<SendResult> {
    const secrets = recordSecrets(ctx);
    const spec = ctx.target.spec;
    const post = (spec.tmplType ?? ctx.options.tmplType ?? 'post') === 'post';
    const text = renderMessage(ctx, 'text');
    const title = post ? ctx.templates.render('title', undefined, ctx.data) : '';
    const m: Message = { text, title, post, secrets };
    const parts: Part[] = [];
    if (recipientBatches(spec).length > 0) parts.push(...partsOrFailure('app', () => this.appParts(ctx, m)));
    if (spec.chatbot) parts.push(...partsOrFailure('chatbot', () => [this.botPart(ctx, m)]));
    if (parts.length === 0) throw new DeliveryError('feishu: the receiver names no user, department or chatbot', { retryable: false, why: { kind: 'config' } });
    return runParts('feishu', parts, { progress: ctx.progress, message: text });
  }

  private appParts(ctx: SendContext<'feishu'>, m: Message): Part[] {
    const config = configOf(ctx);
    const appId = m.secrets.secret(config.appID, 'spec.feishu.appID');
    const appSecret = m.secrets.secret(config.appSecret, 'spec.feishu.appSecret');
    const base = baseUrlOf(config.apiUrl);
    const tokens: TokenSource = {
      cache: this.tokenCache,
      key: tokenKey('feishu', base, appId, appSecret),
      fetch: () => fetchToken({ ctx, secrets: m.secrets, base, appId, appSecret }),
      maxAgeMs: durationOption(ctx.options.tokenExpires),
    };
    const batches = recipientBatches(ctx.target.spec);
    const largest = batches[0] ?? {};
    const maxBytes = m.post ? APP_MAX_BYTES.post : APP_MAX_BYTES.text;
    const messages = contents(m, maxBytes, (content, msgType) => ({ ...largest, msg_type: msgType, content }));
    return batches.map((to, i) => ({
      name: batches.length > 1 ? `app batch ${i + 1}/${batches.length}` : 'app',
      requests: messages.map((msg) => () => batchSend({ ctx, secrets: m.secrets, base, tokens }, { ...to, msg_type: msg.msgType, content: msg.content })),
    }));
  }

  private botPart(ctx: SendContext<'feishu'>, m: Message): Part {
    const bot = ctx.target.spec.chatbot;
    if (!bot) throw new Error('botPart without a chatbot');
    const url = m.secrets.secret(bot.webhook, 'spec.feishu.chatbot.webhook');
    if (!URL.canParse(url)) throw new DeliveryError('feishu: spec.feishu.chatbot.webhook is not a URL', { retryable: false, why: { kind: 'config' } });
    // The bot's token is the last path segment (…/bot/v2/hook/<token>), which URL redaction keeps.
    m.secrets.derived(new URL(url).pathname.split('/').pop() ?? '');
    const secret = bot.secret ? m.secrets.secret(bot.secret, 'spec.feishu.chatbot.secret') : undefined;
    // The signature's size is fixed (base64 of 32 bytes), so a placeholder measures it.
    const signed = secret ? { timestamp: '1700000000', sign: 'x'.repeat(44) } : {};
    const messages = contents(m, BOT_MAX_BYTES, (content, msgType) => ({ ...signed, msg_type: msgType, content }), bot.keywords);
    const key = tokenKey('feishu-bot', url);
    const pacing = {
      window: this.window,
      key,
      limits: BOT_LIMITS,
      budgetMs: waitBudgetMs(ctx.options, BOT_MAX_WAIT_MS),
      clock: this.clock,
      signal: ctx.signal,
      what: 'feishu chatbot',
    };
    const sends = messages.map((msg) => (): Promise<string> => {
      const ts = Math.floor(this.clock.now() / 1000);
      const signature = secret ? { timestamp: String(ts), sign: m.secrets.derived(botSign(ts, secret)) } : {};
      const body = { ...signature, msg_type: msg.msgType, content: msg.content };
      return postBot({ ctx, secrets: m.secrets, url, body, block: (ms) => this.window.block(key, ms) });
    });
    return { name: 'chatbot', requests: paced(pacing, sends) };
  }
}

function baseUrlOf(apiUrl: string | undefined): string {
  const base = apiUrl ?? DEFAULT_API;
  return base.endsWith('/') ? base : `${base}/`;
}

async function fetchToken(a: { ctx: SendContext<'feishu'>; secrets: SecretRecorder; base: string; appId: string; appSecret: string }): Promise<FetchedToken> {
  const rc = replyContext('feishu tenant_access_token', a.secrets);
  const { got, reply } = await requestCode(rc, { url: `${a.base}open-apis/auth/v3/tenant_access_token/internal`, json: { app_id: a.appId, app_secret: a.appSecret }, headers: { 'content-type': 'application/json; charset=utf-8' }, signal: a.ctx.signal, egress: a.ctx.egress });
  const token = got.body['tenant_access_token'];
  if (got.code !== 0 || typeof token !== 'string') throw codeError(got, rc, verdictOf(got.code, reply));
  const expire = got.body['expire'];
  return { token: a.secrets.derived(token), expiresInMs: (typeof expire === 'number' ? expire : 7200) * 1000 };
}

interface AppSend {
  ctx: SendContext<'feishu'>;
  secrets: SecretRecorder;
  base: string;
  tokens: TokenSource;
}

async function batchSend(s: AppSend, body: Record<string, unknown>): Promise<string> {
  const rc = replyContext('feishu message/v4/batch_send', s.secrets);
  return withFreshToken(s.tokens, async (token, lastTry) => {
    const { got, reply } = await requestCode(rc, { url: `${s.base}open-apis/message/v4/batch_send/`, json: body, headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${token}` }, signal: s.ctx.signal, egress: s.ctx.egress });
    if (TOKEN_ERRORS.has(got.code) && !lastTry) return undefined;
    if (got.code !== 0) throw codeError(got, rc, verdictOf(got.code, reply));
    return batchAnswer(got, rc);
  });
}

/** `code 0 ok`, plus the IDs Feishu could not deliver to. */
function batchAnswer(got: CodeReply, rc: ReplyContext): string {
  const data = (got.body['data'] ?? {}) as Record<string, unknown>;
  const invalid = ['invalid_user_ids', 'invalid_department_ids', 'invalid_open_ids']
    .filter((field) => Array.isArray(data[field]) && (data[field] as unknown[]).length > 0)
    .map((field) => `${field}=${(data[field] as unknown[]).map(String).join(',')}`)
    .join(' ');
  return `${describeCode(got, rc)}${invalid ? ` (not delivered: ${invalid})` : ''}`;
}

async function postBot(b: { ctx: SendContext<'feishu'>; secrets: SecretRecorder; url: string; body: Record<string, unknown>; block: (ms: number) => void }): Promise<string> {
  const rc = replyContext(`feishu chatbot ${new URL(b.url).host}`, b.secrets);
  const { got, reply } = await requestCode(rc, { url: b.url, json: b.body, headers: { 'content-type': 'application/json; charset=utf-8' }, signal: b.ctx.signal, egress: b.ctx.egress });
  if (got.code === 0) return describeCode(got, rc);
  const verdict = verdictOf(got.code, reply);
  if (verdict.retryAfterMs !== undefined) b.block(verdict.retryAfterMs);
  throw codeError(got, rc, verdict);
}
