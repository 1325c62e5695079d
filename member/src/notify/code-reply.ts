/**
 * Replies of the errcode-style APIs (WeChat Work and DingTalk: `{errcode, errmsg}`; Feishu:
 * `{code, msg}`): the provider's code decides the outcome, usually under HTTP 200. What is reported
 * carries the code and message as the provider sent them, redacted.
 */
import { checkHttpReply, postHttp, redact, type HttpReply } from './http.js';
import type { EgressPolicy } from './egress.js';
import { DeliveryError } from './notifier.js';
import type { ApiName } from './failure-reason.js';

export interface CodeReply {
  code: number;
  msg: string;
  body: Record<string, unknown>;
  /** The HTTP status it came under (for a code the classifier does not know). */
  status: number;
}

export interface ReplyContext {
  /** Whose codes these are (failure-reason.ts knows some of each). */
  api: Extract<ApiName, 'wechat' | 'dingtalk' | 'feishu'>;
  /** e.g. `wechat message/send`: prefixes every message. */
  what: string;
  secrets: readonly string[];
  codeField: 'errcode' | 'code';
  msgField: 'errmsg' | 'msg';
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The provider's code and message. A reply without one is judged by its HTTP status (5xx and 429
 * retryable); a 2xx without one is not the provider speaking (a proxy's page), so it is retried.
 */
function codeReplyOf(reply: HttpReply, ctx: ReplyContext): CodeReply {
  const body = parseObject(reply.body);
  const code = body?.[ctx.codeField];
  if (body && typeof code === 'number') {
    const msg = body[ctx.msgField];
    return { code, msg: typeof msg === 'string' ? msg : '', body, status: reply.status };
  }
  const answer = checkHttpReply(reply, { what: ctx.what, secrets: ctx.secrets });
  throw new DeliveryError(redact(`${ctx.what}: reply without ${ctx.codeField}: ${answer}`, ctx.secrets), { retryable: true, why: { kind: 'status', status: reply.status } });
}

/** `errcode 40058 <errmsg>`, redacted, the form answers and errors take. */
export function describeCode(reply: CodeReply, ctx: Pick<ReplyContext, 'codeField' | 'secrets'>): string {
  const msg = reply.msg.replace(/\s+/g, ' ').trim().slice(0, 200);
  return redact(`${ctx.codeField} ${reply.code}${msg ? ` ${msg}` : ''}`, ctx.secrets);
}

/** A DeliveryError for a provider code, with the provider's own words. */
export function codeError(
  reply: CodeReply,
  ctx: Pick<ReplyContext, 'api' | 'what' | 'codeField' | 'secrets'>,
  verdict: { retryable: boolean; retryAfterMs?: number | undefined },
): DeliveryError {
  return new DeliveryError(`${ctx.what}: ${describeCode(reply, ctx)}`, { ...verdict, why: { kind: 'api', api: ctx.api, code: reply.code, status: reply.status } });
}

/**
 * One request to an errcode-style API: JSON in (when given), the provider's code out, with the
 * HTTP reply for what the code alone does not say (a rate-limit header). `headers` adds to, or
 * overrides, the JSON content type.
 */
export async function requestCode(
  rc: ReplyContext,
  req: { url: string; signal: AbortSignal; egress: EgressPolicy; json?: unknown; headers?: Record<string, string>; method?: 'GET' | 'POST' },
): Promise<{ got: CodeReply; reply: HttpReply }> {
  const json = req.json === undefined ? {} : { body: JSON.stringify(req.json), headers: { 'content-type': 'application/json', ...req.headers } };
  const reply = await postHttp({
    url: req.url,
    headers: req.headers ?? {},
    ...json,
    signal: req.signal,
    egress: req.egress,
    secrets: rc.secrets,
    ...(req.method ? { method: req.method } : {}),
  });
  return { got: codeReplyOf(reply, rc), reply };
}
