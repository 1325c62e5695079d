/**
 * Contract cases of the SMS providers, one each, answering with their APIs' reply shapes. None of
 * the four throttles with a 429 and Retry-After of its own (Huawei's gateway comes closest).
 */
import { randomUUID } from 'node:crypto';
import type { Target } from '../../../member/src/notify/notifier.js';
import { json, type RecordedRequest, type Reply } from '../http-server.js';
import { httpCase, type ContractCase } from './stage.js';

type Providers = NonNullable<Target<'sms'>['config']>['providers'];

/** The Signature of a TC3 or SigV4 Authorization header. */
const signatureOf = (req: RecordedRequest): string | undefined => /Signature=([0-9a-f]+)/.exec(req.headers.authorization ?? '')?.[1];

const ALIYUN_ID = 'LTAIaliyunId-Zqa1contract';
const ALIYUN_SECRET = 'aliyunKeySecret-Zqa2contract';
const TENCENT_ID = 'AKIDtencentId-Zqa3contract';
const TENCENT_KEY = 'tencentKey-Zqa4contract';
const HUAWEI_KEY = 'huaweiAppKey-Zqa5contract';
const HUAWEI_SECRET = 'huaweiAppSecret-Zqa6contract';
const AWS_ID = 'AKIAawsKeyId-Zqa7contract';
const AWS_SECRET = 'awsSecretKey-Zqa8contract';
const NUMBER = '+8613800000000';

function smsTarget(defaultProvider: keyof Providers, providers: Providers): Pick<Target<'sms'>, 'spec' | 'config'> {
  return { spec: { phoneNumbers: [NUMBER] }, config: { defaultProvider, providers } };
}

// Message before the ids: the credential must be within the start of a reply that notifiers quote.
const aliyunError = (status: number, code: string, message: string): Reply =>
  json(status, { Code: code, Message: message, RequestId: randomUUID().toUpperCase(), HostId: 'dysmsapi.aliyuncs.com' });
const aliyun = httpCase({
  name: 'sms aliyun',
  channel: 'sms',
  provider: 'aliyun',
  secrets: [ALIYUN_ID, ALIYUN_SECRET],
  target: (origin) => smsTarget('aliyun', { aliyun: { accessKeyId: { value: ALIYUN_ID }, accessKeySecret: { value: ALIYUN_SECRET }, signName: 'Herald', templateCode: 'SMS_0contract', apiUrl: `${origin}/` } }),
  carried: (req) => [new URLSearchParams(req.body).get('Signature') ?? undefined],
  accepted: () => json(200, { Message: 'OK', RequestId: randomUUID().toUpperCase(), Code: 'OK', BizId: '900619746936498440^0' }),
  badRequest: (echo) => json(200, { RequestId: randomUUID().toUpperCase(), Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: `非法手机号 ${echo}` }),
  // Aliyun really quotes the string it signed, which holds the AccessKeyId.
  refused: (echo) => aliyunError(400, 'SignatureDoesNotMatch', `Specified signature is not matched with our calculation. server string to sign is:${echo}`),
  // Throttling is a 400 with its own code (retryable, the one 4xx that is) and no wait.
  throttled: { retryAfterMs: undefined, reply: () => aliyunError(400, 'Throttling.User', 'Request was denied due to user flow control.') },
});

const tencentReply = (body: Record<string, unknown>): Reply => json(200, { Response: { ...body, RequestId: randomUUID() } });
const tencentError = (code: string, message: string): Reply => tencentReply({ Error: { Code: code, Message: message } });
const tencent = httpCase({
  name: 'sms tencent',
  channel: 'sms',
  provider: 'tencent',
  secrets: [TENCENT_ID, TENCENT_KEY],
  target: (origin) =>
    smsTarget('tencent', {
      tencent: { secretId: { value: TENCENT_ID }, secretKey: { value: TENCENT_KEY }, smsSdkAppid: '1400000000', sign: 'Herald', templateID: '1', paramMaxLength: 20, apiUrl: `${origin}/` },
    }),
  carried: (req) => [req.headers.authorization, signatureOf(req)],
  accepted: () =>
    tencentReply({ SendStatusSet: [{ SerialNo: '5000:1045710669157053657849499619', PhoneNumber: NUMBER, Fee: 1, SessionContext: '', Code: 'Ok', Message: 'send success', IsoCode: 'CN' }] }),
  // Tencent Cloud API 3.0 answers HTTP 200 for its errors too.
  badRequest: (echo) => tencentError('InvalidParameterValue.TemplateParameterFormatError', echo),
  refused: (echo) => tencentError('AuthFailure.SignatureFailure', `The provided credentials could not be validated. ${echo}`),
  throttled: { retryAfterMs: 1000, reply: () => tencentError('RequestLimitExceeded', 'Your current request times exceeds the frequency limit `20` for a second.') },
});

/** The quoted request leads: Huawei's headers are long, and notifiers quote only a reply's start. */
const huaweiResult = (status: number, code: string, echo: string, description: string): Reply => json(status, { code, description: `${echo}: ${description}` });
const huawei = httpCase({
  name: 'sms huawei',
  channel: 'sms',
  provider: 'huawei',
  secrets: [HUAWEI_KEY, HUAWEI_SECRET],
  target: (origin) =>
    smsTarget('huawei', {
      huawei: { appKey: { value: HUAWEI_KEY }, appSecret: { value: HUAWEI_SECRET }, url: `${origin}/sms/batchSendSms/v1`, sender: '8824110605578', templateId: 'tpl0contract', signature: 'Herald' },
    }),
  carried: (req) => [/PasswordDigest="([^"]+)"/.exec(String(req.headers['x-wsse']))?.[1]],
  accepted: () => json(200, { code: '000000', description: 'Success', result: [{ originTo: NUMBER, createTime: '2024-05-01T10:00:00Z', from: '8824110605578', smsMsgId: `${randomUUID()}_1`, status: '000000' }] }),
  badRequest: (echo) => huaweiResult(400, 'E200028', echo, 'Template variable verification failed.'),
  refused: (echo) => huaweiResult(401, 'E000101', echo, 'Authentication failed.'),
  // The API gateway's throttle: a 429 with its own code and a Retry-After.
  throttled: {
    retryAfterMs: 7000,
    reply: () => json(429, { error_msg: 'The throttling threshold has been reached: policy user over ratelimit,limit:50,time:1 minute', error_code: 'APIGW.0308' }, { 'retry-after': '7' }),
  },
});

const xmlEscape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
function awsError(status: number, code: string, message: string): Reply {
  const body = `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
  return { status, headers: { 'content-type': 'text/xml' }, body };
}
const aws = httpCase({
  name: 'sms aws',
  channel: 'sms',
  provider: 'aws',
  secrets: [AWS_ID, AWS_SECRET],
  target: (origin) => smsTarget('aws', { aws: { accessKeyId: { value: AWS_ID }, secretAccessKey: { value: AWS_SECRET }, region: 'us-east-1', apiUrl: `${origin}/` } }),
  carried: (req) => [req.headers.authorization, signatureOf(req)],
  accepted: () => ({
    status: 200,
    headers: { 'content-type': 'text/xml' },
    body: `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult></PublishResponse>`,
  }),
  // The quoted request leads: the XML envelope is long, and notifiers quote only a reply's start.
  badRequest: (echo) => awsError(400, 'InvalidParameter', `${echo}: Invalid parameter: PhoneNumber`),
  // AWS quotes the canonical request back when a signature does not match.
  refused: (echo) => awsError(403, 'SignatureDoesNotMatch', `${echo}: The request signature we calculated does not match the signature you provided.`),
  // SNS throttles with a 400 of its own code (retryable) and no wait.
  throttled: { retryAfterMs: undefined, reply: () => awsError(400, 'Throttling', 'Rate exceeded') },
});

export const SMS_CASES: readonly ContractCase[] = [aliyun, tencent, huawei, aws];
