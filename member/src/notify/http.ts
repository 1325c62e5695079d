/**
 * HTTP posting for the channels that speak plain HTTP (undici), and the redaction every channel
 * applies to what it reports: a DeliveryError message or an answer ends up in history and in
 * /api/v2/verify answers, so it must never carry a credential or a URL's query string (DingTalk and
 * WeChat bot URLs carry their tokens there).
 */
import { createHash } from 'node:crypto';
import { Agent, ProxyAgent, request, type Dispatcher } from 'undici';
import type { Credential } from '@herald/shared';
import { egressDenialOf, type EgressDeniedError, type EgressPolicy } from './egress.js';
import { closeEgressAgents, egressLookup, literalDenial } from './egress-connect.js';
import { DeliveryError, classifyHttpStatus, retryAfterMs, type SendContext } from './notifier.js';
import type { TlsOptions } from './tls.js';
import { HERALD_VERSION } from '../version.js';

/** The User-Agent of every request a notifier makes, so a receiving service can tell Herald's. */
export const USER_AGENT = `Herald/${HERALD_VERSION}`;

const REDACTED = '<redacted>';
/** Enough of a reply body for an answer; the rest is not read. */
const BODY_PREFIX_BYTES = 4096;
const ANSWER_BODY_CHARS = 200;

/** redactUrl keeps scheme, host and path; userinfo and every query value become `<redacted>`. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return REDACTED;
  }
  const userinfo = parsed.username || parsed.password ? `${REDACTED}@` : '';
  const query = parsed.search
    .slice(1)
    .split('&')
    .filter((pair) => pair !== '')
    // A bare `?abc` may itself be a token, so only a key before `=` survives.
    .map((pair) => (pair.includes('=') ? `${pair.slice(0, pair.indexOf('='))}=${REDACTED}` : REDACTED));
  const search = query.length > 0 ? `?${query.join('&')}` : '';
  // An already-redacted path stays readable (redact must be idempotent).
  const path = parsed.pathname.replaceAll('%3Credacted%3E', REDACTED);
  return `${parsed.protocol}//${userinfo}${parsed.host}${path}${search}`;
}

/** redact removes every secret (raw or URL-encoded) from text, and redacts every URL in it. */
export function redact(text: string, secrets: readonly string[]): string {
  // URLs first: a secret inside a query must not leave a half-parsed URL behind.
  let out = text.replace(/\bhttps?:\/\/(?:<redacted>|[^\s"'<>()])+/g, (url) => redactUrl(url));
  // Longest first: a derived value (a signed Authorization header) holds a shorter secret (the key
  // id); replacing the shorter one first would break the longer one apart and leave its signature.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret === '') continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join(REDACTED);
  }
  return out;
}

/** Query values this long are taken for tokens when the URL is a credential. */
const QUERY_TOKEN_CHARS = 8;

/**
 * The token-like query values (decoded) of a URL that carries its credential in the query (a bot's
 * access_token or key, a Teams signature). A server that quotes the request line back shows the
 * path and query, not the URL, so redacting the whole URL does not cover them.
 */
export function queryTokensOf(url: string): string[] {
  if (!URL.canParse(url)) return [];
  return [...new URL(url).searchParams.values()].filter((value) => value.length >= QUERY_TOKEN_CHARS);
}

/** Resolves credentials through ctx.secret and remembers every value, so errors can be redacted. */
export interface SecretRecorder {
  secret(credential: Credential | undefined, field: string): string;
  /** Records a value derived from secrets (an encoded Authorization header, a signature). */
  derived(value: string): string;
  readonly secrets: readonly string[];
}

export function recordSecrets(ctx: Pick<SendContext, 'secret'>): SecretRecorder {
  const secrets: string[] = [];
  return {
    secrets,
    secret(credential, field) {
      const value = ctx.secret(credential, field);
      secrets.push(value);
      return value;
    },
    derived(value) {
      secrets.push(value);
      return value;
    },
  };
}

/** The message of an unknown thrown value. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const cause = err.cause instanceof Error && err.cause.message !== err.message ? ` (${err.cause.message})` : '';
    return `${err.message}${code && !err.message.includes(code) ? ` [${code}]` : ''}${cause}`;
  }
  return String(err);
}

/** A DeliveryError for a send the caller's signal stopped (timeout or shutdown): retry later. */
export function abortedError(what: string, signal: AbortSignal): DeliveryError {
  return new DeliveryError(`${what}: aborted: ${messageOf(signal.reason)}`, { retryable: true, cause: signal.reason, why: { kind: 'aborted' } });
}

export interface PostOptions {
  url: string;
  /** How messages name the request's target instead of the (redacted) URL: for a URL that is itself a secret. */
  label?: string | undefined;
  /** POST by default; GET (no body) for token endpoints such as WeChat Work's and DingTalk's `gettoken`. */
  method?: 'GET' | 'POST';
  body?: string;
  headers: Record<string, string>;
  signal: AbortSignal;
  /** Resolved TLS settings for https targets (also used through a proxy tunnel). */
  tls?: TlsOptions | undefined;
  /** http(s) proxy; http targets are forwarded (absolute-form), https targets tunnelled with CONNECT. */
  proxyUrl?: string | undefined;
  /**
   * Which addresses the connection may reach (SendContext.egress). Through a proxy, the proxy's
   * address is what is checked: the proxy makes the connection to the target.
   */
  egress: EgressPolicy;
  /** Values to keep out of error messages. */
  secrets: readonly string[];
  /** Most bytes of the reply body read; default 4 KiB (replies with a status per recipient need more). */
  maxBodyBytes?: number | undefined;
}

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** At most the first 4 KiB (or maxBodyBytes) of the body. */
  body: string;
}

/**
 * Dispatchers are pooled by their connection settings (TLS, proxy, outbound policy), so sends to
 * the same place reuse keep-alive connections (a new TCP and TLS handshake per send cost most of
 * the send), and a connection opened under one policy never serves a send under another. Keys are
 * hashes, so no key material is held twice; the pool is bounded and closed on shutdown.
 */
const pool = new Map<string, Dispatcher>();
const MAX_POOLED = 64;

function dispatcherFor(opts: Pick<PostOptions, 'tls' | 'proxyUrl' | 'egress'>): Dispatcher {
  const key = createHash('sha256').update(JSON.stringify([opts.proxyUrl ?? '', opts.tls ?? {}, opts.egress])).digest('hex');
  const found = pool.get(key);
  if (found) return found;
  // Names are resolved, and the addresses judged, at connect time (egress-connect.ts).
  const lookup = egressLookup(opts.egress);
  const guarded = lookup ? { lookup } : {};
  // proxyTunnel false: plain-http targets use absolute-form requests, as Go's http.Transport does.
  const made = opts.proxyUrl
    ? new ProxyAgent({ uri: opts.proxyUrl, requestTls: opts.tls, proxyTls: guarded, proxyTunnel: false })
    : new Agent({ connect: { ...opts.tls, ...guarded }, keepAliveTimeout: 30_000 });
  if (pool.size >= MAX_POOLED) {
    const [oldestKey, oldest] = pool.entries().next().value as [string, Dispatcher];
    pool.delete(oldestKey);
    void oldest.close().catch(() => undefined);
  }
  pool.set(key, made);
  return made;
}

/** Closes every pooled connection (agent shutdown, tests), the node:http agents' too. */
export async function closeDispatchers(): Promise<void> {
  const all = [...pool.values()];
  pool.clear();
  closeEgressAgents();
  await Promise.all(all.map((d) => d.destroy().catch(() => undefined)));
}

async function readPrefix(body: Dispatcher.ResponseData['body'], limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    chunks.push(buf);
    size += buf.length;
    // Leaving the loop destroys the stream: a huge error page is not downloaded.
    if (size >= limit) break;
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

/** The (decoded) user and password of a URL such as a proxy's, to redact from errors. */
function userinfoOf(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const { username, password } = new URL(url);
    return [username, password].filter((v) => v !== '').map((v) => decodeURIComponent(v));
  } catch {
    return [];
  }
}

/** The host the connection goes to: the proxy's when there is one. */
function connectHost(opts: Pick<PostOptions, 'url' | 'proxyUrl'>): string {
  try {
    return new URL(opts.proxyUrl ?? opts.url).hostname;
  } catch {
    return '';
  }
}

/**
 * postHttp sends once (POST unless `method` says GET); network failures (refused, TLS, reset,
 * abort) become retryable DeliveryErrors, an address the outbound policy denies a terminal one.
 */
export async function postHttp(opts: PostOptions): Promise<HttpReply> {
  const method = opts.method ?? 'POST';
  const what = `${method} ${opts.label ?? redactUrl(opts.url)}`;
  const secrets = [...opts.secrets, ...userinfoOf(opts.proxyUrl)];
  const via = opts.proxyUrl ? ` via proxy ${redactUrl(opts.proxyUrl)}` : '';
  const refusedLiteral = literalDenial(connectHost(opts), opts.egress);
  if (refusedLiteral) throw egressError(`${what}${via}`, refusedLiteral, secrets);
  const dispatcher = dispatcherFor(opts);
  try {
    const res = await request(opts.url, {
      method,
      headers: { 'user-agent': USER_AGENT, ...opts.headers },
      body: method === 'GET' ? undefined : opts.body,
      signal: opts.signal,
      dispatcher,
    });
    return { status: res.statusCode, headers: res.headers, body: await readPrefix(res.body, opts.maxBodyBytes ?? BODY_PREFIX_BYTES) };
  } catch (err) {
    // Redacted too: Telegram and Discord carry their tokens in the URL path, which redactUrl keeps.
    if (opts.signal.aborted) throw abortedError(redact(what, secrets), opts.signal);
    const refused = egressDenialOf(err);
    if (refused) throw egressError(`${what}${via}`, refused, secrets);
    throw new DeliveryError(redact(`${what}: ${messageOf(err)}`, secrets), { retryable: true, cause: err, why: { kind: 'thrown', error: err } });
  }
}

/** The DeliveryError of a connection the outbound policy refused: names the address and the rule, nothing sent. */
export function egressError(what: string, refused: EgressDeniedError, secrets: readonly string[]): DeliveryError {
  return new DeliveryError(redact(`${what}: ${refused.message}`, secrets), { retryable: refused.retryable, cause: refused, why: { kind: 'config' } });
}

/** The answer recorded for an HTTP reply: `HTTP <status> <first 200 chars of body>`. */
export function httpAnswer(reply: Pick<HttpReply, 'status' | 'body'>, secrets: readonly string[]): string {
  const body = reply.body.replace(/\s+/g, ' ').trim().slice(0, ANSWER_BODY_CHARS);
  return redact(`HTTP ${reply.status}${body ? ` ${body}` : ''}`, secrets);
}

function header(reply: HttpReply, name: string): string | undefined {
  const value = reply.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** checkHttpReply returns the answer of a 2xx reply and throws a classified DeliveryError otherwise. */
export function checkHttpReply(reply: HttpReply, ctx: { what: string; secrets: readonly string[] }): string {
  const answer = httpAnswer(reply, ctx.secrets);
  const verdict = classifyHttpStatus(reply.status);
  if (verdict === 'ok') return answer;
  const honoursRetryAfter = reply.status === 429 || reply.status === 503;
  throw new DeliveryError(redact(`${ctx.what}: ${answer}`, ctx.secrets), {
    retryable: verdict === 'retry',
    why: { kind: 'status', status: reply.status },
    retryAfterMs: honoursRetryAfter ? retryAfterMs(header(reply, 'retry-after')) : undefined,
  });
}
