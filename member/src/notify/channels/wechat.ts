/**
 * WeChat Work (企业微信): the app API — `gettoken` (cached per corp and secret), then
 * `message/send` to users, parties and tags — and the group bot webhook. Messages are split at the
 * published content limits, in UTF-8 bytes: app text and markdown 2048, bot text 2048, bot
 * markdown 4096. App sends ask WeChat to drop a repeat of the same request within 30 minutes
 * (`enable_duplicate_check`), so a retry does not deliver the chunks that already went twice.
 */
import { DeliveryError, type Notifier, type SendContext, type SendResult } from '../notifier.js';
import { queryTokensOf, recordSecrets, redactUrl, type SecretRecorder } from '../http.js';
import { splitMessage, utf8Length } from '../../template/split.js';
import { codeError, describeCode, requestCode, type CodeReply, type ReplyContext } from '../code-reply.js';
import { fitChunks } from '../fit-chunks.js';
import { partsOrFailure, runParts, type Part } from '../parts.js';
import { durationOption, paced, waitBudgetMs } from '../send-window.js';
import { tokenKey, withFreshToken, type FetchedToken, type TokenSource } from '../token-cache.js';
import { AppNotifier, renderMessage } from '../app-notifier.js';
import { configOf } from '../config-need.js';

type WechatSpec = SendContext<'wechat'>['target']['spec'];

const DEFAULT_API = 'https://qyapi.weixin.qq.com/cgi-bin/';
/** message/send: text.content and markdown.content take at most 2048 bytes. */
const APP_MAX_BYTES = 2048;
/** Group bot: text content at most 2048 bytes, markdown content at most 4096. */
const BOT_MAX_BYTES = { text: 2048, markdown: 4096 } as const;
/** message/send: touser at most 1000 IDs, toparty 100, totag 100, each joined with `|`. */
const BATCH = { users: 1000, parties: 100, tags: 100 } as const;
/** A group bot takes at most 20 messages a minute. */
const BOT_LIMIT = { threshold: 20, unitMs: 60_000 };
const BOT_MAX_WAIT_MS = 10_000;
/** 40014 invalid access_token, 41001 access_token missing, 42001 access_token expired. */
const TOKEN_ERRORS = new Set([40014, 41001, 42001]);
/** -1 system busy; 45009 API frequency limit (retry after the minute); 45033 too many concurrent calls. */
const RETRYABLE = new Map<number, number | undefined>([
  [-1, undefined],
  [45009, 60_000],
  [45033, 1_000],
]);

function verdictOf(code: number): { retryable: boolean; retryAfterMs?: number | undefined } {
  return RETRYABLE.has(code) ? { retryable: true, retryAfterMs: RETRYABLE.get(code) } : { retryable: false };
}

/** Batches of at most 1000 users, 100 parties and 100 tags; the i-th batch takes the i-th slice of each. */
export function recipientBatches(spec: Pick<WechatSpec, 'toUser' | 'toParty' | 'toTag'>): Array<{ touser: string; toparty: string; totag: string }> {
  const users = spec.toUser ?? [];
  const parties = spec.toParty ?? [];
  const tags = spec.toTag ?? [];
  const count = Math.max(Math.ceil(users.length / BATCH.users), Math.ceil(parties.length / BATCH.parties), Math.ceil(tags.length / BATCH.tags));
  return Array.from({ length: count }, (_, i) => ({
    touser: users.slice(i * BATCH.users, (i + 1) * BATCH.users).join('|'),
    toparty: parties.slice(i * BATCH.parties, (i + 1) * BATCH.parties).join('|'),
    totag: tags.slice(i * BATCH.tags, (i + 1) * BATCH.tags).join('|'),
  }));
}

/** `invaliduser=a|b` etc. from a successful reply: recipients WeChat did not deliver to. */
function invalidRecipients(body: Record<string, unknown>): string {
  return ['invaliduser', 'invalidparty', 'invalidtag', 'unlicenseduser']
    .filter((field) => typeof body[field] === 'string' && body[field] !== '')
    .map((field) => `${field}=${String(body[field])}`)
    .join(' ');
}

function baseUrlOf(apiUrl: string | undefined): string {
  const base = apiUrl ?? DEFAULT_API;
  return base.endsWith('/') ? base : `${base}/`;
}

interface AppSend {
  ctx: SendContext<'wechat'>;
  secrets: SecretRecorder;
  base: string;
  tokens: TokenSource;
  agentid: number;
}

export class WechatNotifier extends AppNotifier implements Notifier<'wechat'> {
  readonly channel = 'wechat' as const;

  async send(ctx: SendContext<'wechat'>): Promise<SendResult> {
    const secrets = recordSecrets(ctx);
    const spec = ctx.target.spec;
    const markdown = (spec.tmplType ?? ctx.options.tmplType) === 'markdown';
    const text = renderMessage(ctx, markdown ? 'markdown' : 'text');
    const parts: Part[] = [];
    const message = { text, markdown, secrets };
    if (recipientBatches(spec).length > 0) parts.push(...partsOrFailure('app', () => this.appParts(ctx, message)));
    if (spec.chatbot) parts.push(...partsOrFailure('chatbot', () => [this.botPart(ctx, message)]));
    if (parts.length === 0) {
      throw new DeliveryError('wechat: the receiver names no toUser, toParty, toTag or chatbot', { retryable: false, why: { kind: 'config' } });
    }
    return runParts('wechat', parts, { progress: ctx.progress, message: text });
  }

  private appParts(ctx: SendContext<'wechat'>, m: { text: string; markdown: boolean; secrets: SecretRecorder }): Part[] {
    const config = configOf(ctx);
    const agentid = Number(config.wechatApiAgentId);
    if (!Number.isInteger(agentid)) {
      throw new DeliveryError('wechat: Config spec.wechat.wechatApiAgentId must be an integer', { retryable: false, why: { kind: 'config' } });
    }
    const secret = m.secrets.secret(config.wechatApiSecret, 'spec.wechat.wechatApiSecret');
    const base = baseUrlOf(config.wechatApiUrl);
    const tokens: TokenSource = {
      cache: this.tokenCache,
      key: tokenKey('wechat', base, config.wechatApiCorpId, secret),
      fetch: () => fetchToken({ ctx, secrets: m.secrets, base, corpid: config.wechatApiCorpId, secret }),
      maxAgeMs: durationOption(ctx.options.tokenExpires),
    };
    const limit = Math.min(APP_MAX_BYTES, ctx.options.messageMaxSize ?? APP_MAX_BYTES);
    const chunks = splitMessage(m.text, limit);
    const batches = recipientBatches(ctx.target.spec);
    const send: AppSend = { ctx, secrets: m.secrets, base, tokens, agentid };
    return batches.map((to, i) => ({
      name: batches.length > 1 ? `app batch ${i + 1}/${batches.length}` : 'app',
      requests: chunks.map((content) => () => sendAppMessage(send, appBody({ to, agentid, markdown: m.markdown, content }))),
    }));
  }

  private botPart(ctx: SendContext<'wechat'>, m: { text: string; markdown: boolean; secrets: SecretRecorder }): Part {
    const bot = ctx.target.spec.chatbot;
    if (!bot) throw new Error('botPart without a chatbot');
    const url = m.secrets.secret(bot.webhook, 'spec.wechat.chatbot.webhook');
    if (!URL.canParse(url)) throw new DeliveryError('wechat: spec.wechat.chatbot.webhook is not a URL', { retryable: false, why: { kind: 'config' } });
    // The key, for a reply that quotes the request line rather than the URL.
    for (const token of queryTokensOf(url)) m.secrets.derived(token);
    const bodies = botBodies({ text: m.text, markdown: m.markdown, atUsers: bot.atUsers ?? [], atMobiles: bot.atMobiles ?? [] });
    const pacing = {
      window: this.window,
      key: tokenKey('wechat-bot', url),
      limits: [BOT_LIMIT],
      budgetMs: waitBudgetMs(ctx.options, BOT_MAX_WAIT_MS),
      clock: this.clock,
      signal: ctx.signal,
      what: 'wechat chatbot',
    };
    const sends = bodies.map((body) => () => sendBotMessage({ ctx, secrets: m.secrets, url, body, block: (ms) => this.window.block(pacing.key, ms) }));
    return { name: 'chatbot', requests: paced(pacing, sends) };
  }
}

function replyContext(what: string, secrets: SecretRecorder): ReplyContext {
  return { api: 'wechat', what, secrets: secrets.secrets, codeField: 'errcode', msgField: 'errmsg' };
}

async function fetchToken(a: { ctx: SendContext<'wechat'>; secrets: SecretRecorder; base: string; corpid: string; secret: string }): Promise<FetchedToken> {
  const query = new URLSearchParams({ corpid: a.corpid, corpsecret: a.secret });
  const rc = replyContext('wechat gettoken', a.secrets);
  const { got } = await requestCode(rc, { method: 'GET', url: `${a.base}gettoken?${query.toString()}`, signal: a.ctx.signal, egress: a.ctx.egress });
  const token = got.body['access_token'];
  if (got.code !== 0 || typeof token !== 'string') throw codeError(got, rc, verdictOf(got.code));
  const expiresIn = got.body['expires_in'];
  return { token: a.secrets.derived(token), expiresInMs: (typeof expiresIn === 'number' ? expiresIn : 7200) * 1000 };
}

function appBody(a: { to: { touser: string; toparty: string; totag: string }; agentid: number; markdown: boolean; content: string }): Record<string, unknown> {
  const msgtype = a.markdown ? 'markdown' : 'text';
  return {
    ...(a.to.touser ? { touser: a.to.touser } : {}),
    ...(a.to.toparty ? { toparty: a.to.toparty } : {}),
    ...(a.to.totag ? { totag: a.to.totag } : {}),
    msgtype,
    agentid: a.agentid,
    [msgtype]: { content: a.content },
    enable_duplicate_check: 1,
    duplicate_check_interval: 1800,
  };
}

async function sendAppMessage(s: AppSend, body: Record<string, unknown>): Promise<string> {
  const rc = replyContext('wechat message/send', s.secrets);
  return withFreshToken(s.tokens, async (token, lastTry) => {
    const { got } = await requestCode(rc, { url: `${s.base}message/send?access_token=${encodeURIComponent(token)}`, json: body, signal: s.ctx.signal, egress: s.ctx.egress });
    if (TOKEN_ERRORS.has(got.code) && !lastTry) return undefined;
    return appAnswer(got, rc);
  });
}

function appAnswer(got: CodeReply, rc: ReplyContext): string {
  if (got.code !== 0) throw codeError(got, rc, verdictOf(got.code));
  const invalid = invalidRecipients(got.body);
  return `${describeCode(got, rc)}${invalid ? ` (not delivered: ${invalid})` : ''}`;
}

/** The bot's request bodies: text with mention lists, or markdown with `<@userid>` mentions; mentions ride on the first chunk. */
export function botBodies(m: { text: string; markdown: boolean; atUsers: string[]; atMobiles: string[] }): Array<Record<string, unknown>> {
  if (m.markdown) {
    // Markdown has no mention lists; `<@userid>` in the content mentions (mobiles cannot be mentioned).
    const mention = m.atUsers.length > 0 ? `\n${m.atUsers.map((u) => `<@${u}>`).join(' ')}` : '';
    const chunks = fitChunks(m.text, BOT_MAX_BYTES.markdown, (c) => utf8Length(c + mention));
    return chunks.map((c, i) => ({ msgtype: 'markdown', markdown: { content: i === 0 ? c + mention : c } }));
  }
  return splitMessage(m.text, BOT_MAX_BYTES.text).map((content, i) => ({
    msgtype: 'text',
    text: {
      content,
      ...(i === 0 && m.atUsers.length > 0 ? { mentioned_list: m.atUsers } : {}),
      ...(i === 0 && m.atMobiles.length > 0 ? { mentioned_mobile_list: m.atMobiles } : {}),
    },
  }));
}

async function sendBotMessage(b: {
  ctx: SendContext<'wechat'>;
  secrets: SecretRecorder;
  url: string;
  body: Record<string, unknown>;
  block: (ms: number) => void;
}): Promise<string> {
  const rc = replyContext(`wechat chatbot ${redactUrl(b.url)}`, b.secrets);
  const { got } = await requestCode(rc, { url: b.url, json: b.body, signal: b.ctx.signal, egress: b.ctx.egress });
  if (got.code === 0) return describeCode(got, rc);
  const verdict = verdictOf(got.code);
  // Over the bot's limit: keep other sends to this bot out of the window too.
  if (got.code === 45009) b.block(verdict.retryAfterMs ?? 60_000);
  throw codeError(got, rc, verdict);
}
