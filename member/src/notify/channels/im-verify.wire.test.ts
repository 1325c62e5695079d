/**
 * POST /api/v2/verify through the real app for WeChat Work, DingTalk, Feishu, Discord, Pushover and
 * Teams: the built-in templates render the verify notification, and each provider's own answer (or
 * refusal, with its code) comes back, with no credential in the reply.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { ADMIN_HEADERS, verifyApp } from '../../../../test/wire/verify-app.js';
import { createNotifiers } from '../registry.js';
import { startFakeWechat, type FakeWechat } from '../../../../test/wire/wechat.js';
import { startFakeDingTalk, type FakeDingTalk } from '../../../../test/wire/dingtalk.js';
import { startFakeFeishu, type FakeFeishu } from '../../../../test/wire/feishu.js';
import { startFakeDiscord, type FakeDiscord } from '../../../../test/wire/discord.js';
import { startFakePushover, type FakePushover } from '../../../../test/wire/pushover.js';
import { startFakeTeams, type FakeTeams } from '../../../../test/wire/teams.js';

const WECHAT_SECRET = 'wechat-app-SECRET-1';
const DING_SECRET = 'SECding-SECRET-2';
const FEISHU_SECRET = 'feishu-bot-SECRET-3';
const DISCORD_TOKEN = 'discord-SECRET-token-4';
const PUSHOVER_TOKEN = 'azGDORePK8gMaC0QOYAMyEEuzJnyUi';
const PUSHOVER_USER = 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG';
const TEAMS_SIG = 'teams-SECRET-sig-5';

let wechat: FakeWechat;
let ding: FakeDingTalk;
let feishu: FakeFeishu;
let discord: FakeDiscord;
let pushover: FakePushover;
let teams: FakeTeams;
let app: FastifyInstance;

beforeEach(async () => {
  [wechat, ding, feishu, discord, pushover, teams] = await Promise.all([
    startFakeWechat({ corpId: 'ww-corp', corpSecret: WECHAT_SECRET, agentId: 1000002, botKey: 'bot-key', users: ['zhangsan'] }),
    startFakeDingTalk({ robotToken: 'robot-token', secret: DING_SECRET, keywords: ['herald'], appkey: 'k', appsecret: 's', chats: [] }),
    startFakeFeishu({ appId: 'cli_x', appSecret: 'y', users: [], departments: [], botToken: 'bot-token', botSecret: FEISHU_SECRET, keywords: ['herald'] }),
    startFakeDiscord({ id: '1234567890', token: DISCORD_TOKEN }),
    startFakePushover({ token: PUSHOVER_TOKEN, users: { [PUSHOVER_USER]: [] } }),
    startFakeTeams({ workflow: 'wf1', sig: TEAMS_SIG }),
  ]);
  app = verifyApp(createNotifiers());
});
afterEach(async () => {
  await app.close();
  await Promise.all([wechat.close(), ding.close(), feishu.close(), discord.close(), pushover.close(), teams.close()]);
});

type Results = { results: { channel: string; ok: boolean; answer?: string; error?: string }[] };

/** `wrong` replaces each credential with a wrong one. */
function verify(wrong = false) {
  const bad = (good: string): string => (wrong ? `wrong-${good}` : good);
  const receiver = {
    wechat: { toUser: ['zhangsan'] },
    dingtalk: { chatbot: { webhook: { value: ding.robotUrl }, secret: { value: bad(DING_SECRET) }, keywords: ['herald'] } },
    feishu: { chatbot: { webhook: { value: feishu.botUrl }, secret: { value: bad(FEISHU_SECRET) }, keywords: ['herald'] } },
    discord: { webhook: { value: discord.webhookUrl.replace(DISCORD_TOKEN, bad(DISCORD_TOKEN)) } },
    pushover: { profiles: [{ userKey: PUSHOVER_USER }] },
    teams: { webhook: { value: teams.webhookUrl.replace(TEAMS_SIG, bad(TEAMS_SIG)) } },
  };
  const config = {
    wechat: { wechatApiUrl: wechat.apiUrl, wechatApiCorpId: 'ww-corp', wechatApiAgentId: '1000002', wechatApiSecret: { value: bad(WECHAT_SECRET) } },
    pushover: { pushoverTokenSecret: { value: wrong ? 'wrongwrongwrongwrongwrongwrong' : PUSHOVER_TOKEN }, apiUrl: pushover.apiUrl },
  };
  return app.inject({ method: 'POST', url: '/api/v2/verify', headers: ADMIN_HEADERS, payload: { receiver: { metadata: { name: 'im' }, spec: receiver }, config: { spec: config } } });
}

describe('POST /api/v2/verify for wechat, dingtalk, feishu, discord, pushover and teams', () => {
  it('reports each provider’s answer for the test notification', async () => {
    const res = await verify();
    const results = res.json<Results>().results;
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(res.statusCode).toBe(200);
    const answers = Object.fromEntries(results.map((r) => [r.channel, r.answer]));
    expect(answers['wechat']).toBe('app: errcode 0 ok');
    expect(answers['dingtalk']).toBe('chatbot: errcode 0 ok');
    expect(answers['feishu']).toBe('chatbot: code 0 success');
    expect(answers['discord']).toMatch(/^HTTP 200 message \d+$/);
    expect(answers['pushover']).toMatch(/^HTTP 200 request [0-9a-f-]{36}$/);
    expect(answers['teams']).toMatch(/^HTTP 202/);
    // The built-in templates rendered the verify notification for each provider.
    expect(wechat.messages[0]?.content).toMatch(/verify/);
    expect(ding.robotMessages[0]?.content).toMatch(/verify[\s\S]*herald$/);
    expect(JSON.stringify(feishu.botMessages[0]?.content)).toMatch(/verify/);
    expect(discord.messages[0]?.content).toMatch(/verify/);
    expect(pushover.messages[0]?.message).toMatch(/verify/);
    expect(JSON.stringify(teams.cards[0]?.body)).toMatch(/verify/);
  });

  it('reports each provider’s refusal, with its code, as a 502 with no credential in it', async () => {
    const res = await verify(true);
    expect(res.statusCode).toBe(502);
    const errors = Object.fromEntries(res.json<Results>().results.map((r) => [r.channel, r.error]));
    expect(errors['wechat']).toMatch(/errcode 40001 invalid secret/);
    expect(errors['dingtalk']).toMatch(/errcode 310000 sign not match/);
    expect(errors['feishu']).toMatch(/code 19021 sign match fail/);
    expect(errors['discord']).toMatch(/HTTP 401 .*Invalid Webhook Token/);
    expect(errors['pushover']).toMatch(/HTTP 400 .*application token is invalid/);
    expect(errors['teams']).toMatch(/HTTP 401 .*DirectApiInvalidAuthorizationSignature/);
    for (const secret of [WECHAT_SECRET, DING_SECRET, FEISHU_SECRET, DISCORD_TOKEN, TEAMS_SIG, 'wrongwrong']) expect(res.body).not.toContain(secret);
  });
});
