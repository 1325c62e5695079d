/**
 * DingTalk (钉钉): the custom robot webhook and the conversation API.
 * - Robot: signed when a secret is set (HMAC-SHA256 keyed with the secret over `timestamp\nsecret`,
 *   base64, as `timestamp` and `sign` query parameters; the timestamp in ms must be within an hour of
 *   DingTalk's clock). At least one keyword must be in every message, so they are appended to a
 *   chunk that has none. Mentions go in `at` and, as DingTalk needs for them to show, as `@mobile`
 *   / `@userId` in the first chunk's text. The request body may be at most 20000 bytes (errcode
 *   460101). A robot takes 20 messages a minute and throttles for 10 minutes past that (errcode
 *   130101): a per-robot window holds sends under the limit, waiting or retrying, never dropping.
 * - Conversation: app token from `gettoken?appkey&appsecret` (cached, refreshed on 40014/42001),
 *   then `chat/send` to each chat, split at 5000 bytes like Notification Manager.
 */
import { createHmac } from 'node:crypto';
import { DeliveryError, type Notifier, type SendContext, type SendResult } from '../notifier.js';
import { queryTokensOf, recordSecrets, redactUrl, type SecretRecorder } from '../http.js';
import { splitMessage } from '../../template/split.js';
import { codeError, describeCode, requestCode, type CodeReply, type ReplyContext } from '../code-reply.js';
import { fitChunks, jsonBytes, withKeywords } from '../fit-chunks.js';
import { partsOrFailure, runParts, type Part } from '../parts.js';
import { durationOption, limitOf, maxWaitOf, paced, waitBudgetMs, type RateLimit } from '../send-window.js';
import { tokenKey, withFreshToken, type FetchedToken, type TokenSource } from '../token-cache.js';
import { AppNotifier, renderMessage } from '../app-notifier.js';

type DingTalkSpec = SendContext<'dingtalk'>['target']['spec'];
type Chatbot = NonNullable<DingTalkSpec['chatbot']>;

const DEFAULT_API = 'https://oapi.dingtalk.com/';
/** Robot request bodies above 20000 bytes are refused (460101 "message too long, exceed 20000 bytes"). */
const ROBOT_MAX_BYTES = 20_000;
const CONVERSATION_MAX_BYTES = 5_000;
/** 20 messages a minute per robot; past that DingTalk throttles the robot for 10 minutes. */
const ROBOT_LIMIT: RateLimit = { threshold: 20, unitMs: 60_000 };
const ROBOT_BLOCK_MS = 10 * 60_000;
const ROBOT_MAX_WAIT_MS = 10_000;
/** 40014 invalid access_token, 41001 missing, 42001 expired. */
const TOKEN_ERRORS = new Set([40014, 41001, 42001]);
/** -1 system busy; 130101 robot sending too fast; 90018 app QPS limit. */
const RETRYABLE = new Map<number, number | undefined>([
  [-1, undefined],
  [130101, ROBOT_BLOCK_MS],
  [90018, 1_000],
]);

function verdictOf(code: number): { retryable: boolean; retryAfterMs?: number | undefined } {
  return RETRYABLE.has(code) ? { retryable: true, retryAfterMs: RETRYABLE.get(code) } : { retryable: false };
}

function replyContext(what: string, secrets: SecretRecorder): ReplyContext {
  return { api: 'dingtalk', what, secrets: secrets.secrets, codeField: 'errcode', msgField: 'errmsg' };
}

/** DingTalk's robot signature: base64 of HMAC-SHA256 keyed with the secret over `timestamp\nsecret`. */
export function robotSign(timestampMs: number, secret: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

/** The webhook URL with `timestamp` and `sign` added when the robot has a secret. */
export function signedUrl(webhook: string, secret: string | undefined, timestampMs: number): string {
  if (secret === undefined) return webhook;
  const url = new URL(webhook);
  url.searchParams.set('timestamp', String(timestampMs));
  url.searchParams.set('sign', robotSign(timestampMs, secret));
  return url.toString();
}

interface Message {
  text: string;
  title: string;
  markdown: boolean;
  secrets: SecretRecorder;
}

/** The robot's request bodies: each chunk carries a keyword; the first carries the mentions. */
export function robotBodies(m: Pick<Message, 'text' | 'title' | 'markdown'>, bot: Chatbot, maxBytes: number): Array<Record<string, unknown>> {
  const at = {
    ...(bot.atMobiles?.length ? { atMobiles: bot.atMobiles } : {}),
    ...(bot.atUsers?.length ? { atUserIds: bot.atUsers } : {}),
    ...(bot.atAll ? { isAtAll: true } : {}),
  };
  const mentions = [...(bot.atMobiles ?? []), ...(bot.atUsers ?? [])].map((who) => `@${who}`).join(' ');
  const mentionLine = mentions ? `\n\n${mentions}` : '';
  const body = (content: string): Record<string, unknown> =>
    m.markdown ? { msgtype: 'markdown', markdown: { title: m.title, text: content }, at } : { msgtype: 'text', text: { content }, at };
  const finish = (chunk: string, first: boolean): string => withKeywords(first ? chunk + mentionLine : chunk, bot.keywords);
  // Every chunk is measured as if it were the first (with the mentions): a little room is left unused.
  const chunks = fitChunks(m.text, maxBytes, (c) => jsonBytes(body(finish(c, true))));
  return chunks.map((c, i) => body(finish(c, i === 0)));
}

export class DingTalkNotifier extends AppNotifier implements Notifier<'dingtalk'> {
  readonly channel = 'dingtalk' as const;

  async send(ctx: SendContext<'dingtalk'>): Promise<SendResult> {
    const secrets = recordSecrets(ctx);
    const spec = ctx.target.spec;
    const markdown = (spec.tmplType ?? ctx.options.tmplType) === 'markdown';
    const text = renderMessage(ctx, markdown ? 'markdown' : 'text');
    const titleTemplate = spec.titleTemplate ?? ctx.options.titleTemplate;
    const title = markdown ? ctx.templates.render('title', titleTemplate, ctx.data) : '';
    const m: Message = { text, title, markdown, secrets };
    const parts: Part[] = [];
    if (spec.conversation) parts.push(...partsOrFailure('conversation', () => this.conversationParts(ctx, m)));
    if (spec.chatbot) parts.push(...partsOrFailure('chatbot', () => [this.robotPart(ctx, m)]));
    if (parts.length === 0) throw new DeliveryError('dingtalk: the receiver has neither conversation nor chatbot', { retryable: false, why: { kind: 'config' } });
    return runParts('dingtalk', parts, { progress: ctx.progress, message: text });
  }

  private robotPart(ctx: SendContext<'dingtalk'>, m: Message): Part {
    const bot = ctx.target.spec.chatbot;
    if (!bot) throw new Error('robotPart without a chatbot');
    const webhook = m.secrets.secret(bot.webhook, 'spec.dingtalk.chatbot.webhook');
    if (!URL.canParse(webhook)) throw new DeliveryError('dingtalk: spec.dingtalk.chatbot.webhook is not a URL', { retryable: false, why: { kind: 'config' } });
    // The access_token, for a reply that quotes the request line rather than the URL.
    for (const token of queryTokensOf(webhook)) m.secrets.derived(token);
    const secret = bot.secret ? m.secrets.secret(bot.secret, 'spec.dingtalk.chatbot.secret') : undefined;
    const maxBytes = Math.min(ROBOT_MAX_BYTES, ctx.options.chatbotMessageMaxSize ?? ROBOT_MAX_BYTES);
    const bodies = robotBodies(m, bot, maxBytes);
    const throttle = ctx.options.chatBotThrottle;
    const key = tokenKey('dingtalk-robot', webhook);
    const pacing = {
      window: this.window,
      key,
      limits: [limitOf(throttle, ROBOT_LIMIT)],
      budgetMs: waitBudgetMs(ctx.options, maxWaitOf(throttle, ROBOT_MAX_WAIT_MS)),
      clock: this.clock,
      signal: ctx.signal,
      what: 'dingtalk chatbot',
    };
    const sends = bodies.map((body) => async (): Promise<string> => {
      const url = signedUrl(webhook, secret, this.clock.now());
      m.secrets.derived(new URL(url).searchParams.get('sign') ?? '');
      return postRobot({ ctx, secrets: m.secrets, url, body, block: (ms) => this.window.block(key, ms) });
    });
    return { name: 'chatbot', requests: paced(pacing, sends) };
  }

  private conversationParts(ctx: SendContext<'dingtalk'>, m: Message): Part[] {
    const conversation = ctx.target.config?.conversation;
    if (!conversation) {
      throw new DeliveryError('dingtalk: conversation needs a Config with spec.dingtalk.conversation (appkey, appsecret)', { retryable: false, why: { kind: 'config' } });
    }
    const appkey = m.secrets.secret(conversation.appkey, 'spec.dingtalk.conversation.appkey');
    const appsecret = m.secrets.secret(conversation.appsecret, 'spec.dingtalk.conversation.appsecret');
    const base = baseUrlOf(ctx.target.config?.apiUrl);
    const tokens: TokenSource = {
      cache: this.tokenCache,
      key: tokenKey('dingtalk', base, appkey, appsecret),
      fetch: () => fetchToken({ ctx, secrets: m.secrets, base, appkey, appsecret }),
      maxAgeMs: durationOption(ctx.options.tokenExpires),
    };
    const limit = Math.min(CONVERSATION_MAX_BYTES, ctx.options.conversationMessageMaxSize ?? CONVERSATION_MAX_BYTES);
    const chunks = splitMessage(m.text, limit);
    return (ctx.target.spec.conversation?.chatids ?? []).map((chatid) => {
      const sends = chunks.map((content) => () => sendChat({ ctx, secrets: m.secrets, base, tokens }, { chatid, msg: chatMsg(m, content) }));
      return { name: `chat ${chatid}`, requests: this.conversationPacing(ctx, appkey, sends) };
    });
  }

  /** Settings `conversationThrottle`, when set, paces each app's chat/send calls. */
  private conversationPacing(ctx: SendContext<'dingtalk'>, appkey: string, sends: Array<() => Promise<string>>): Array<() => Promise<string>> {
    const throttle = ctx.options.conversationThrottle;
    if (throttle === undefined) return sends;
    const limits = [limitOf(throttle, { threshold: Number.MAX_SAFE_INTEGER, unitMs: 1000 })];
    const budgetMs = waitBudgetMs(ctx.options, maxWaitOf(throttle, ROBOT_MAX_WAIT_MS));
    const key = tokenKey('dingtalk-app', appkey);
    return paced({ window: this.window, key, limits, budgetMs, clock: this.clock, signal: ctx.signal, what: 'dingtalk chat/send' }, sends);
  }
}

function baseUrlOf(apiUrl: string | undefined): string {
  const base = apiUrl ?? DEFAULT_API;
  return base.endsWith('/') ? base : `${base}/`;
}

function chatMsg(m: Pick<Message, 'markdown' | 'title'>, content: string): Record<string, unknown> {
  return m.markdown ? { msgtype: 'markdown', markdown: { title: m.title, text: content } } : { msgtype: 'text', text: { content } };
}

async function postRobot(r: {
  ctx: SendContext<'dingtalk'>;
  secrets: SecretRecorder;
  url: string;
  body: Record<string, unknown>;
  block: (ms: number) => void;
}): Promise<string> {
  const rc = replyContext(`dingtalk chatbot ${redactUrl(r.url)}`, r.secrets);
  const { got } = await requestCode(rc, { url: r.url, json: r.body, headers: { 'content-type': 'application/json; charset=utf-8' }, signal: r.ctx.signal, egress: r.ctx.egress });
  if (got.code === 0) return describeCode(got, rc);
  // Throttled by DingTalk: keep every send to this robot out until the block ends.
  if (got.code === 130101) r.block(ROBOT_BLOCK_MS);
  throw codeError(got, rc, verdictOf(got.code));
}

interface AppSend {
  ctx: SendContext<'dingtalk'>;
  secrets: SecretRecorder;
  base: string;
  tokens: TokenSource;
}

async function fetchToken(a: { ctx: SendContext<'dingtalk'>; secrets: SecretRecorder; base: string; appkey: string; appsecret: string }): Promise<FetchedToken> {
  const query = new URLSearchParams({ appkey: a.appkey, appsecret: a.appsecret });
  const rc = replyContext('dingtalk gettoken', a.secrets);
  const { got } = await requestCode(rc, { method: 'GET', url: `${a.base}gettoken?${query.toString()}`, signal: a.ctx.signal, egress: a.ctx.egress });
  const token = got.body['access_token'];
  if (got.code !== 0 || typeof token !== 'string') throw codeError(got, rc, verdictOf(got.code));
  const expiresIn = got.body['expires_in'];
  return { token: a.secrets.derived(token), expiresInMs: (typeof expiresIn === 'number' ? expiresIn : 7200) * 1000 };
}

async function sendChat(s: AppSend, body: { chatid: string; msg: Record<string, unknown> }): Promise<string> {
  const rc = replyContext('dingtalk chat/send', s.secrets);
  return withFreshToken(s.tokens, async (token, lastTry) => {
    const { got } = await requestCode(rc, { url: `${s.base}chat/send?access_token=${encodeURIComponent(token)}`, json: body, headers: { 'content-type': 'application/json; charset=utf-8' }, signal: s.ctx.signal, egress: s.ctx.egress });
    if (TOKEN_ERRORS.has(got.code) && !lastTry) return undefined;
    return chatAnswer(got, rc);
  });
}

function chatAnswer(got: CodeReply, rc: ReplyContext): string {
  if (got.code !== 0) throw codeError(got, rc, verdictOf(got.code));
  return describeCode(got, rc);
}
