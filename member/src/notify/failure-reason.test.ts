import { describe, expect, it } from 'vitest';
import { classifyFailure, type FailureEvidence, type FailureReason } from './failure-reason.js';
import { DeliveryError } from './notifier.js';
import { EgressDeniedError } from './egress.js';

const errno = (code: string): Error => Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });

const table: Array<[string, FailureEvidence, FailureReason]> = [
  ['401', { kind: 'status', status: 401 }, 'auth'],
  ['403', { kind: 'status', status: 403 }, 'auth'],
  ['429', { kind: 'status', status: 429 }, 'rate-limited'],
  ['400', { kind: 'status', status: 400 }, 'client-error'],
  ['404', { kind: 'status', status: 404 }, 'client-error'],
  ['408', { kind: 'status', status: 408 }, 'timeout'],
  ['500', { kind: 'status', status: 500 }, 'server-error'],
  ['503', { kind: 'status', status: 503 }, 'server-error'],
  ['504', { kind: 'status', status: 504 }, 'timeout'],
  ['200 that was not the channel answering', { kind: 'status', status: 200 }, 'server-error'],
  ['ECONNREFUSED', { kind: 'thrown', error: errno('ECONNREFUSED') }, 'network'],
  ['ENOTFOUND', { kind: 'thrown', error: errno('ENOTFOUND') }, 'network'],
  ['ECONNRESET under undici', { kind: 'thrown', error: new TypeError('fetch failed', { cause: errno('ECONNRESET') }) }, 'network'],
  ['AggregateError of refused addresses', { kind: 'thrown', error: Object.assign(new AggregateError([errno('ECONNREFUSED')]), {}) }, 'network'],
  ['TLS certificate', { kind: 'thrown', error: errno('DEPTH_ZERO_SELF_SIGNED_CERT') }, 'network'],
  ['ETIMEDOUT', { kind: 'thrown', error: errno('ETIMEDOUT') }, 'timeout'],
  ['undici headers timeout', { kind: 'thrown', error: errno('UND_ERR_HEADERS_TIMEOUT') }, 'timeout'],
  ['AbortError', { kind: 'thrown', error: new DOMException('aborted', 'AbortError') }, 'timeout'],
  ['TimeoutError', { kind: 'thrown', error: new DOMException('timed out', 'TimeoutError') }, 'timeout'],
  ['aborted by the send signal', { kind: 'aborted' }, 'timeout'],
  ['outbound policy', { kind: 'thrown', error: new EgressDeniedError('10.0.0.1', 'x', '10.0.0.0/8', false) }, 'config'],
  ['nodemailer EAUTH', { kind: 'thrown', error: errno('EAUTH') }, 'auth'],
  ['nodemailer EENVELOPE', { kind: 'thrown', error: errno('EENVELOPE') }, 'client-error'],
  ['a plain Error', { kind: 'thrown', error: new Error('boom') }, 'other'],
  ['not an Error at all', { kind: 'thrown', error: 'boom' }, 'other'],
  ['missing Config', { kind: 'config' }, 'config'],
  ['template', { kind: 'template' }, 'template'],
  ['paced under the robot limit', { kind: 'paced' }, 'rate-limited'],
  ['slack invalid_auth', { kind: 'api', api: 'slack', code: 'invalid_auth' }, 'auth'],
  ['slack ratelimited', { kind: 'api', api: 'slack', code: 'ratelimited' }, 'rate-limited'],
  ['slack internal_error', { kind: 'api', api: 'slack', code: 'internal_error' }, 'server-error'],
  ['slack channel_not_found', { kind: 'api', api: 'slack', code: 'channel_not_found' }, 'client-error'],
  ['dingtalk 310000 (signature, keyword, IP)', { kind: 'api', api: 'dingtalk', code: 310000, status: 200 }, 'auth'],
  ['dingtalk 130101 too fast', { kind: 'api', api: 'dingtalk', code: 130101, status: 200 }, 'rate-limited'],
  ['dingtalk -1 busy', { kind: 'api', api: 'dingtalk', code: -1, status: 200 }, 'server-error'],
  ['dingtalk 460101 too long', { kind: 'api', api: 'dingtalk', code: 460101, status: 200 }, 'client-error'],
  ['wechat 40014 token', { kind: 'api', api: 'wechat', code: 40014, status: 200 }, 'auth'],
  ['wechat 93000 bot key refused', { kind: 'api', api: 'wechat', code: 93000, status: 200 }, 'auth'],
  ['wechat 45009 frequency', { kind: 'api', api: 'wechat', code: 45009, status: 200 }, 'rate-limited'],
  ['feishu 99991663 token', { kind: 'api', api: 'feishu', code: 99991663, status: 400 }, 'auth'],
  ['feishu 99991400 limit', { kind: 'api', api: 'feishu', code: 99991400, status: 400 }, 'rate-limited'],
  ['feishu unknown code under 500', { kind: 'api', api: 'feishu', code: 12345, status: 500 }, 'server-error'],
  ['smtp 535', { kind: 'api', api: 'smtp', code: 535 }, 'auth'],
  ['smtp 550', { kind: 'api', api: 'smtp', code: 550 }, 'client-error'],
  ['smtp 421', { kind: 'api', api: 'smtp', code: 421 }, 'server-error'],
  ['aliyun signature', { kind: 'api', api: 'sms', code: 'SignatureDoesNotMatch', status: 400 }, 'auth'],
  ['aliyun flow control', { kind: 'api', api: 'sms', code: 'isv.BUSINESS_LIMIT_CONTROL', status: 200 }, 'rate-limited'],
  ['tencent auth', { kind: 'api', api: 'sms', code: 'AuthFailure.SecretIdNotFound', status: 200 }, 'auth'],
  ['tencent per-number limit', { kind: 'api', api: 'sms', code: 'LimitExceeded.PhoneNumberDailyLimit' }, 'rate-limited'],
  ['tencent too many numbers', { kind: 'api', api: 'sms', code: 'LimitExceeded.PhoneNumberCountLimit' }, 'client-error'],
  ['huawei authentication', { kind: 'api', api: 'sms', code: 'E000101', status: 401 }, 'auth'],
  ['huawei gateway throttling', { kind: 'api', api: 'sms', code: 'APIGW.0308', status: 429 }, 'rate-limited'],
  ['aws throttling', { kind: 'api', api: 'sms', code: 'Throttling', status: 400 }, 'rate-limited'],
  ['aws internal', { kind: 'api', api: 'sms', code: 'InternalError', status: 500 }, 'server-error'],
  ['pushover token invalid', { kind: 'api', api: 'pushover', code: 'token', status: 400 }, 'auth'],
  ['pushover user invalid', { kind: 'api', api: 'pushover', code: 'user', status: 400 }, 'client-error'],
  ['several failures: the first', { kind: 'combined', reasons: ['auth', 'network'] }, 'auth'],
  ['no failures recorded', { kind: 'combined', reasons: [] }, 'other'],
  ['kept from an earlier error', { kind: 'same', reason: 'template' }, 'template'],
];

describe('classifyFailure', () => {
  it.each(table)('%s', (_name, evidence, reason) => {
    expect(classifyFailure(evidence)).toBe(reason);
  });

  it('is what a DeliveryError carries', () => {
    expect(new DeliveryError('HTTP 401', { retryable: false, why: { kind: 'status', status: 401 } }).reason).toBe('auth');
  });
});
