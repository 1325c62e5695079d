/** Contract cases of the plain HTTP channels, each answering with its API's own reply shapes. */
import { json, type Reply } from '../http-server.js';
import { httpCase, type ContractCase } from './stage.js';

const BEARER = 'hook-bearer-Zq81contract';
const SLACK_TOKEN = 'xoxb-4242-Zq82contract';
const DISCORD_TOKEN = 'dWebhookTok-Zq83contract';
const TEAMS_SIG = 'teamsSig-Zq84contract';
const TELEGRAM_TOKEN = '424242:AAtelegram-Zq85contract';
const PUSHOVER_TOKEN = 'aPushoverTok3nZq86contract';
const OPSGENIE_KEY = 'genie-key-Zq87contract';
const PAGERDUTY_KEY = 'pdRoutingKey-Zq88contract';

const webhook = httpCase({
  name: 'webhook',
  channel: 'webhook',
  secrets: [BEARER],
  target: (origin) => ({ spec: { url: `${origin}/hook`, httpConfig: { bearerToken: { value: BEARER } } } }),
  // A webhook receiver may answer anything, the request quoted back included.
  accepted: (req) => json(200, { status: 'received', request: `${req.method} ${req.url} ${String(req.headers.authorization)}` }),
  badRequest: (echo) => json(400, { error: echo }),
  refused: (echo) => json(403, { error: echo }),
});

/** Slack answers HTTP 200 for its own errors, with details in response_metadata. */
const slackError = (error: string, echo: string): Reply => json(200, { ok: false, error, response_metadata: { messages: [echo] } });
const slack = httpCase({
  name: 'slack',
  channel: 'slack',
  secrets: [SLACK_TOKEN],
  target: (origin) => ({ spec: { channels: ['#alerts'] }, config: { slackTokenSecret: { value: SLACK_TOKEN }, apiUrl: `${origin}/api/` } }),
  accepted: () => json(200, { ok: true, channel: 'C01ALERTS', ts: '1700000001.000100', message: { type: 'message', text: 'markdown:default:2' } }),
  badRequest: (echo) => slackError('channel_not_found', echo),
  refused: (echo) => slackError('invalid_auth', echo),
});

const discord = httpCase({
  name: 'discord',
  channel: 'discord',
  secrets: [DISCORD_TOKEN],
  target: (origin) => ({ spec: { webhook: { value: `${origin}/api/webhooks/1100/${DISCORD_TOKEN}` } } }),
  accepted: () => json(200, { id: '1200000000000000001', type: 0, channel_id: '1100', webhook_id: '1100', content: 'markdown:default:2' }),
  badRequest: (echo) => json(400, { message: echo, code: 50035 }),
  refused: (echo) => json(401, { message: echo, code: 50027 }),
  // Discord's body says how long, to the millisecond; it wins over the header's whole seconds.
  throttled: { retryAfterMs: 6500, reply: () => json(429, { message: 'You are being rate limited.', retry_after: 6.5, global: false }, { 'retry-after': '7' }) },
});

/** The message goes first: the credential must be within the start of a reply that notifiers quote. */
const teamsError = (status: number, code: string, echo: string): Reply => json(status, { error: { message: echo, code } });
const teams = httpCase({
  name: 'teams',
  channel: 'teams',
  secrets: [TEAMS_SIG],
  target: (origin) => ({
    spec: { webhook: { value: `${origin}/workflows/c0ffee/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${TEAMS_SIG}` } },
  }),
  accepted: () => ({ status: 202 }),
  badRequest: (echo) => teamsError(400, 'TriggerInputSchemaMismatch', echo),
  refused: (echo) => teamsError(401, 'DirectApiInvalidAuthorizationSignature', echo),
});

const telegramError = (status: number, description: string, parameters?: Record<string, number>): Reply =>
  json(status, { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) });
const telegram = httpCase({
  name: 'telegram',
  channel: 'telegram',
  secrets: [TELEGRAM_TOKEN],
  target: (origin) => ({ spec: { channels: ['-1001'] }, config: { telegramTokenSecret: { value: TELEGRAM_TOKEN }, apiUrl: origin } }),
  accepted: () => json(200, { ok: true, result: { message_id: 101, chat: { id: -1001, type: 'group' }, date: 1714557600, text: 'text:default:2' } }),
  badRequest: (echo) => telegramError(400, `Bad Request: chat not found ${echo}`),
  refused: (echo) => telegramError(401, `Unauthorized ${echo}`),
  // Telegram says how long in the body, without a Retry-After header.
  throttled: { retryAfterMs: 7000, reply: () => telegramError(429, 'Too Many Requests: retry after 7', { retry_after: 7 }) },
});

const pushoverError = (field: string, echo: string): Reply => json(400, { [field]: 'invalid', errors: [echo], status: 0, request: '5042853c-402d-4a18-abcb-168734a801de' });
const pushover = httpCase({
  name: 'pushover',
  channel: 'pushover',
  secrets: [PUSHOVER_TOKEN],
  target: (origin) => ({ spec: { profiles: [{ userKey: 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG' }] }, config: { pushoverTokenSecret: { value: PUSHOVER_TOKEN }, apiUrl: origin } }),
  accepted: () => json(200, { status: 1, request: '647d2300-702c-4b38-8b2f-d56326ae460b' }),
  badRequest: (echo) => pushoverError('user', echo),
  // Pushover refuses a bad application token with 400, naming the token field.
  refused: (echo) => pushoverError('token', echo),
  // The monthly quota: 429 with the reset as a Unix time, no Retry-After.
  throttled: {
    retryAfterMs: 7000,
    toleranceMs: 1000,
    reply: () => json(429, { errors: ['application has exceeded its monthly message limit'], status: 0 }, { 'x-limit-app-remaining': '0', 'x-limit-app-reset': String(Math.round(Date.now() / 1000) + 7) }),
  },
});

const opsgenieError = (status: number, message: string): Reply => json(status, { message, took: 0.002, requestId: '9ae63dd7-ed00-4c81-86f0-c4ffd33142c9' });
const opsgenie = httpCase({
  name: 'opsgenie',
  channel: 'opsgenie',
  secrets: [OPSGENIE_KEY],
  target: (origin) => ({ spec: {}, config: { apiKey: { value: OPSGENIE_KEY }, apiUrl: origin } }),
  accepted: () => json(202, { result: 'Request will be processed', took: 0.012, requestId: '43a29c5c-3dbf-4fa4-9c26-f4f71023e120' }),
  badRequest: (echo) => opsgenieError(422, echo),
  refused: (echo) => opsgenieError(401, echo),
  // Opsgenie names its throttle window instead of sending Retry-After.
  throttled: { retryAfterMs: 7000, reply: () => ({ ...opsgenieError(429, 'You are making too many requests!'), headers: { 'content-type': 'application/json', 'x-ratelimit-state': 'THROTTLED', 'x-ratelimit-period-in-sec': '7' } }) },
});

const pagerduty = httpCase({
  name: 'pagerduty',
  channel: 'pagerduty',
  secrets: [PAGERDUTY_KEY],
  target: (origin) => ({ spec: { routingKey: { value: PAGERDUTY_KEY } }, config: { apiUrl: origin } }),
  accepted: () => json(202, { status: 'success', message: 'Event processed', dedup_key: 'herald-dedup' }),
  badRequest: (echo) => json(400, { status: 'invalid event', message: 'Event object is invalid', errors: [echo] }),
  refused: (echo) => json(400, { status: 'invalid event', message: 'Event object is invalid', errors: [`Invalid routing key: ${echo}`] }),
  // Events API v2 documents no auth status: a routing key it does not know is an invalid event (400).
  differs: { refused: { reason: 'client-error' } },
  // PagerDuty sends no Retry-After on 429; the notifier waits its documented 30 s.
  throttled: { retryAfterMs: 30_000, reply: () => json(429, { status: 'throttle event', message: 'Requests for this service are arriving too quickly.  Please retry later.' }) },
});

export const HTTP_CASES: readonly ContractCase[] = [webhook, slack, discord, teams, telegram, pushover, opsgenie, pagerduty];
