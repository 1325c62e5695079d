/**
 * Why a send failed, in a few words an operator can alert on: the `reason` of every DeliveryError,
 * the label of the failure and retry metrics, and a field of delivery history (as Alertmanager's
 * `Reason` is). One pure function decides it from what the failure left behind: an HTTP status,
 * an error code (ECONNREFUSED, ETIMEDOUT, an abort), or the channel's own API code.
 */

const FAILURE_REASONS = ['auth', 'rate-limited', 'client-error', 'server-error', 'network', 'timeout', 'config', 'template', 'other'] as const;
/**
 * auth: credentials refused; rate-limited: the channel throttles; client-error: the channel
 * refused this request (a 4xx, an unknown chat); server-error: the channel failed (a 5xx, "system
 * busy"); network: no connection (refused, DNS, reset, TLS); timeout: no answer in time (or the
 * send was aborted); config: Herald's own configuration (no Config, a bad field, a credential that
 * does not resolve, the outbound policy); template: a template failed to render; other: an error
 * nobody anticipated (a bug, or the pipeline thread dying mid-send).
 */
export type FailureReason = (typeof FAILURE_REASONS)[number];

const REASONS: ReadonlySet<unknown> = new Set(FAILURE_REASONS);
export const isFailureReason = (v: unknown): v is FailureReason => REASONS.has(v);

/**
 * Channels whose API codes are known; `smtp` codes are reply codes (535) or nodemailer's (EAUTH);
 * `pushover` codes are the request field its 4xx names invalid (`{"token":"invalid"}`).
 */
export type ApiName = 'slack' | 'dingtalk' | 'wechat' | 'feishu' | 'smtp' | 'sms' | 'pushover';

/** What a failure left behind, as the place that saw it knows it. */
export type FailureEvidence =
  | { kind: 'config' }
  | { kind: 'template' }
  | { kind: 'status'; status: number }
  /** The send's own signal stopped it: its timeout, or the agent shutting down. */
  | { kind: 'aborted' }
  /** Herald's own pacing of a channel's published limit held the send back. */
  | { kind: 'paced' }
  | { kind: 'thrown'; error: unknown }
  | { kind: 'api'; api: ApiName; code: string | number; status?: number | undefined }
  /** Several failures in one send (chats, parts, numbers): the first one's reason. */
  | { kind: 'combined'; reasons: readonly FailureReason[] }
  /** An error re-thrown with more words keeps the reason it had. */
  | { kind: 'same'; reason: FailureReason };

/** The kinds whose reason is the kind itself, whatever else they say. */
const FIXED: Partial<Record<FailureEvidence['kind'], FailureReason>> = { config: 'config', template: 'template', aborted: 'timeout', paced: 'rate-limited' };

export function classifyFailure(evidence: FailureEvidence): FailureReason {
  const fixed = FIXED[evidence.kind];
  if (fixed) return fixed;
  switch (evidence.kind) {
    case 'same':
      return evidence.reason;
    case 'combined':
      return evidence.reasons[0] ?? 'other';
    case 'status':
      return reasonOfStatus(evidence.status);
    case 'thrown':
      return reasonOfThrown(evidence.error);
    case 'api':
      return reasonOfApi(evidence);
    default:
      return 'other';
  }
}

/** The channel's own code when it is known; else its HTTP status; else the channel refused the request. */
function reasonOfApi(e: Extract<FailureEvidence, { kind: 'api' }>): FailureReason {
  const known = reasonOfApiCode(e.api, e.code);
  if (known) return known;
  return e.status !== undefined && e.status >= 400 ? reasonOfStatus(e.status) : 'client-error';
}

function reasonOfStatus(status: number): FailureReason {
  if (status === 401 || status === 403 || status === 407) return 'auth';
  if (status === 429) return 'rate-limited';
  if (status === 408 || status === 504) return 'timeout';
  if (status >= 500) return 'server-error';
  if (status >= 400) return 'client-error';
  // A 2xx or 3xx that still failed: the reply was not the channel's answer (a proxy's page).
  return 'server-error';
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EPIPE',
  'EPROTO',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  // nodemailer: connection, socket, DNS and TLS failures.
  'ECONNECTION',
  'ESOCKET',
  'EDNS',
  'ETLS',
]);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  // axios (the Slack SDK) reports its timeout so.
  'ECONNABORTED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_ABORTED',
  'ABORT_ERR',
]);

/** nodemailer's own codes that are not about the connection. */
const NODEMAILER_CODES: Record<string, FailureReason> = {
  EAUTH: 'auth',
  ENOAUTH: 'config',
  EREQUIRETLS: 'config',
  EENVELOPE: 'client-error',
  EMESSAGE: 'client-error',
  EPROTOCOL: 'server-error',
};

/** The codes and names along an error's chain: `cause` (undici, axios), `original` (Slack SDK), `errors` (AggregateError). */
function chainOf(error: unknown): Array<{ code?: unknown; name?: unknown }> {
  const out: Array<{ code?: unknown; name?: unknown }> = [];
  let current: unknown = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    // Reading optional fields of an unknown error object; each is checked before use.
    const e = current as { code?: unknown; name?: unknown; cause?: unknown; original?: unknown; errors?: unknown };
    out.push(e);
    current = e.cause ?? e.original ?? (Array.isArray(e.errors) ? (e.errors as unknown[])[0] : undefined);
  }
  return out;
}

function reasonOfThrown(error: unknown): FailureReason {
  for (const e of chainOf(error)) {
    if (e.name === 'EgressDeniedError' || e.code === 'EHERALDEGRESS') return 'config';
    if (e.name === 'AbortError' || e.name === 'TimeoutError') return 'timeout';
    if (typeof e.code !== 'string') continue;
    if (TIMEOUT_CODES.has(e.code)) return 'timeout';
    if (NETWORK_CODES.has(e.code) || /^ERR_(TLS|SSL)_|CERT/.test(e.code)) return 'network';
    const own = NODEMAILER_CODES[e.code];
    if (own) return own;
  }
  return 'other';
}

const SLACK: Record<string, FailureReason> = {
  invalid_auth: 'auth',
  not_authed: 'auth',
  account_inactive: 'auth',
  token_revoked: 'auth',
  token_expired: 'auth',
  no_permission: 'auth',
  missing_scope: 'auth',
  not_allowed_token_type: 'auth',
  ekm_access_denied: 'auth',
  ratelimited: 'rate-limited',
  rate_limited: 'rate-limited',
  internal_error: 'server-error',
  fatal_error: 'server-error',
  service_unavailable: 'server-error',
  team_added_to_org: 'server-error',
  request_timeout: 'timeout',
};

/**
 * WeChat Work: 40001 bad secret, 40013 bad corpid, 40014/41001/42001 token, 60020 IP not allowed,
 * 93000 a group bot key that is wrong or whose bot left the chat; 45009/45033 limits; -1 busy.
 */
const WECHAT = new Map<number, FailureReason>([
  [40001, 'auth'],
  [40013, 'auth'],
  [40014, 'auth'],
  [41001, 'auth'],
  [42001, 'auth'],
  [60020, 'auth'],
  [93000, 'auth'],
  [45009, 'rate-limited'],
  [45033, 'rate-limited'],
  [-1, 'server-error'],
]);

/** DingTalk: 40014/41001/42001 token, 310000 signature, keyword or IP refused; 130101 and 90018 limits; -1 busy. */
const DINGTALK = new Map<number, FailureReason>([
  [40014, 'auth'],
  [41001, 'auth'],
  [42001, 'auth'],
  [310000, 'auth'],
  [130101, 'rate-limited'],
  [90018, 'rate-limited'],
  [-1, 'server-error'],
]);

/** Feishu: 99991661/99991663/99991668 token, 19021 signature, 19022 IP not allowed; 99991400, 9499, 11232 limits. */
const FEISHU = new Map<number, FailureReason>([
  [99991661, 'auth'],
  [99991663, 'auth'],
  [99991668, 'auth'],
  [19021, 'auth'],
  [19022, 'auth'],
  [99991400, 'rate-limited'],
  [9499, 'rate-limited'],
  [11232, 'rate-limited'],
]);

/** SMTP: 530/534/535/538 authentication, other 5xx refuse the message, 4xx are the server's trouble. */
function smtpReason(code: string | number): FailureReason | undefined {
  if (typeof code === 'string') return reasonOfThrown({ code });
  if ([530, 534, 535, 538].includes(code)) return 'auth';
  if (code >= 500) return 'client-error';
  if (code >= 400) return 'server-error';
  return undefined;
}

/** SMS providers' string codes (Aliyun, Tencent, Huawei, AWS SNS), by what they name. */
function smsReason(code: string | number): FailureReason | undefined {
  const text = String(code);
  if (/auth|signature|accesskey|clienttoken|accessdenied|credential|^E00010\d$/i.test(text)) return 'auth';
  // Throttling and quotas; a request with too many numbers is the request's own fault.
  if (/throttl|_LIMIT_CONTROL$|RequestLimitExceeded|^LimitExceeded\.(?!PhoneNumberCountLimit)|^APIGW\.0308$/i.test(text)) return 'rate-limited';
  if (/internal|unavailable|busy/i.test(text)) return 'server-error';
  return undefined;
}

function reasonOfApiCode(api: ApiName, code: string | number): FailureReason | undefined {
  switch (api) {
    case 'slack':
      return SLACK[String(code)];
    case 'wechat':
      return WECHAT.get(Number(code));
    case 'dingtalk':
      return DINGTALK.get(Number(code));
    case 'feishu':
      return FEISHU.get(Number(code));
    case 'smtp':
      return smtpReason(code);
    case 'sms':
      return smsReason(code);
    case 'pushover':
      // A refused application token; any other invalid field is the request's own fault.
      return code === 'token' ? 'auth' : undefined;
  }
}
