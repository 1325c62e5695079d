/**
 * Contract cases of WeChat Work, DingTalk and Feishu, app API and bot each. These APIs answer
 * HTTP 200 with their own code for most outcomes, so success, refusal and throttling are codes;
 * the 503 and 429 scenarios are a gateway in front of them, answering without a code.
 */
import { json, type RecordedRequest, type Reply } from '../http-server.js';
import { httpCase, type ContractCase } from './stage.js';

const WECHAT_SECRET = 'wxCorpSecret-Zq91contract';
const WECHAT_TOKEN = 'wxAccessToken-Zq92contract';
const WECHAT_BOT_KEY = 'wxBotKey-Zq93contract';
const DINGTALK_APPSECRET = 'dtAppSecret-Zq94contract';
const DINGTALK_TOKEN = 'dtAccessToken-Zq95contract';
const DINGTALK_ROBOT_TOKEN = 'dtRobotToken-Zq96contract';
const DINGTALK_ROBOT_SECRET = 'SECdtRobot-Zq97contract';
const FEISHU_APP_SECRET = 'fsAppSecret-Zq98contract';
const FEISHU_TOKEN = 't-fsTenantToken-Zq99contract';
const FEISHU_BOT_TOKEN = 'fsBotToken-Zq9acontract';
const FEISHU_BOT_SECRET = 'fsBotSecret-Zq9bcontract';

const errcode = (code: number, msg: string): Reply => json(200, { errcode: code, errmsg: msg });
const feishuCode = (code: number, msg: string, status = 200): Reply => json(status, { code, msg, data: {} });
const pathOf = (req: RecordedRequest): string => new URL(req.url, 'http://fake.local').pathname;
const queryOf = (req: RecordedRequest, name: string): string | undefined => new URL(req.url, 'http://fake.local').searchParams.get(name) ?? undefined;

function bodyField(req: RecordedRequest, name: string): string | undefined {
  const value: unknown = (JSON.parse(req.body || '{}') as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

const wechatApp = httpCase({
  name: 'wechat app',
  channel: 'wechat',
  secrets: [WECHAT_SECRET, WECHAT_TOKEN],
  target: (origin) => ({
    spec: { toUser: ['zhangsan'] },
    config: { wechatApiCorpId: 'ww0contract', wechatApiAgentId: '1000002', wechatApiSecret: { value: WECHAT_SECRET }, wechatApiUrl: `${origin}/cgi-bin/` },
  }),
  setup: (req) => (pathOf(req) === '/cgi-bin/gettoken' ? json(200, { errcode: 0, errmsg: 'ok', access_token: WECHAT_TOKEN, expires_in: 7200 }) : undefined),
  accepted: () => json(200, { errcode: 0, errmsg: 'ok', msgid: 'msg-contract-1' }),
  badRequest: (echo) => errcode(81013, `user & party & tag all invalid, ${echo}`),
  refused: (echo) => errcode(60020, `not allow to access from your ip, ${echo}`),
  throttled: { retryAfterMs: 60_000, reply: () => errcode(45009, 'api freq out of limit') },
});

const wechatBot = httpCase({
  name: 'wechat chatbot',
  channel: 'wechat',
  secrets: [WECHAT_BOT_KEY],
  target: (origin) => ({ spec: { chatbot: { webhook: { value: `${origin}/cgi-bin/webhook/send?key=${WECHAT_BOT_KEY}` } } } }),
  accepted: () => errcode(0, 'ok'),
  badRequest: (echo) => errcode(40008, `invalid message type, ${echo}`),
  // The key in the URL is the bot's only credential.
  refused: (echo) => errcode(93000, `invalid webhook url, ${echo}`),
  throttled: { retryAfterMs: 60_000, reply: () => errcode(45009, 'api freq out of limit') },
});

const dingtalkConversation = httpCase({
  name: 'dingtalk conversation',
  channel: 'dingtalk',
  secrets: [DINGTALK_APPSECRET, DINGTALK_TOKEN],
  target: (origin) => ({
    spec: { conversation: { chatids: ['chat0contract'] } },
    config: { conversation: { appkey: { value: 'dingContractKey' }, appsecret: { value: DINGTALK_APPSECRET } }, apiUrl: `${origin}/` },
  }),
  setup: (req) => (pathOf(req) === '/gettoken' ? json(200, { errcode: 0, errmsg: 'ok', access_token: DINGTALK_TOKEN, expires_in: 7200 }) : undefined),
  accepted: () => json(200, { errcode: 0, errmsg: 'ok', messageId: 'msg-contract-1' }),
  badRequest: (echo) => errcode(40035, `invalid chatid, ${echo}`),
  // The token is refused again after a fresh one: the notifier retries once, then gives up.
  refused: (echo) => errcode(40014, `invalid access_token, ${echo}`),
  throttled: { retryAfterMs: 1000, reply: () => errcode(90018, 'app qps limit') },
});

const dingtalkRobot = httpCase({
  name: 'dingtalk chatbot',
  channel: 'dingtalk',
  secrets: [DINGTALK_ROBOT_TOKEN, DINGTALK_ROBOT_SECRET],
  target: (origin) => ({
    spec: { chatbot: { webhook: { value: `${origin}/robot/send?access_token=${DINGTALK_ROBOT_TOKEN}` }, secret: { value: DINGTALK_ROBOT_SECRET } } },
  }),
  carried: (req) => [queryOf(req, 'sign')],
  accepted: () => errcode(0, 'ok'),
  badRequest: (echo) => errcode(460101, `message too long, ${echo}`),
  refused: (echo) => errcode(310000, `sign not match, ${echo}`),
  // DingTalk throttles a robot for 10 minutes past 20 messages a minute.
  throttled: { retryAfterMs: 600_000, reply: () => errcode(130101, 'send too fast, exceed 20 times per minute') },
});

const feishuApp = httpCase({
  name: 'feishu app',
  channel: 'feishu',
  secrets: [FEISHU_APP_SECRET, FEISHU_TOKEN],
  target: (origin) => ({ spec: { user: ['ou_contract'] }, config: { appID: { value: 'cli_contract' }, appSecret: { value: FEISHU_APP_SECRET }, apiUrl: `${origin}/` } }),
  setup: (req) =>
    pathOf(req) === '/open-apis/auth/v3/tenant_access_token/internal' ? json(200, { code: 0, msg: 'ok', tenant_access_token: FEISHU_TOKEN, expire: 7200 }) : undefined,
  accepted: () => json(200, { code: 0, msg: 'ok', data: { message_id: 'bm-contract', invalid_user_ids: [], invalid_department_ids: [], invalid_open_ids: [] } }),
  badRequest: (echo) => feishuCode(10003, `invalid param, ${echo}`, 400),
  // Refused again after a fresh token: the notifier retries once, then gives up.
  refused: (echo) => feishuCode(99991663, `Invalid access token for authorization, ${echo}`, 400),
  // Feishu's rate limit names its reset in seconds, not in Retry-After.
  throttled: { retryAfterMs: 7000, reply: () => ({ ...feishuCode(99991400, 'request trigger frequency limit', 400), headers: { 'content-type': 'application/json', 'x-ogw-ratelimit-reset': '7' } }) },
});

const feishuBot = httpCase({
  name: 'feishu chatbot',
  channel: 'feishu',
  secrets: [FEISHU_BOT_TOKEN, FEISHU_BOT_SECRET],
  target: (origin) => ({ spec: { chatbot: { webhook: { value: `${origin}/open-apis/bot/v2/hook/${FEISHU_BOT_TOKEN}` }, secret: { value: FEISHU_BOT_SECRET } } } }),
  carried: (req) => [bodyField(req, 'sign')],
  accepted: () => json(200, { StatusCode: 0, StatusMessage: 'success', code: 0, data: {}, msg: 'success' }),
  badRequest: (echo) => feishuCode(19024, `Key Words Not Found, ${echo}`),
  refused: (echo) => feishuCode(19021, `sign match fail or timestamp is not within one hour from current time, ${echo}`),
  // A bot past 5 messages a second; no reset header, so the notifier's own second.
  throttled: { retryAfterMs: 1000, reply: () => feishuCode(9499, 'too many request') },
});

export const APP_CASES: readonly ContractCase[] = [wechatApp, wechatBot, dingtalkConversation, dingtalkRobot, feishuApp, feishuBot];
