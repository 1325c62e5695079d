import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DingTalkNotifier } from './dingtalk.js';
import { utf8Length } from '../../template/split.js';
import type { SendContext } from '../notifier.js';
import { deliveryErrorOf, sendContext } from '../../../../test/wire/context.js';
import { startFakeDingTalk, type FakeDingTalk } from '../../../../test/wire/dingtalk.js';
import { json, startHttpServer } from '../../../../test/wire/http-server.js';

const ROBOT_TOKEN = 'robot-AcCeSsToKeN-123';
const SECRET = 'SECa1b2c3d4e5f6SeCrEt';
const APPKEY = 'dingappkey123';
const APPSECRET = 'app-SeCrEt-xyz-987';

let ding: FakeDingTalk;
let clock: number;
const now = (): number => clock;
const sleep = (at: number): Promise<void> => {
  clock = Math.max(clock, at);
  return Promise.resolve();
};
const notifier = (): DingTalkNotifier => new DingTalkNotifier({ now, sleep });

beforeEach(async () => {
  clock = 1_700_000_000_000;
  ding = await startFakeDingTalk({
    robotToken: ROBOT_TOKEN,
    secret: SECRET,
    keywords: ['herald'],
    appkey: APPKEY,
    appsecret: APPSECRET,
    chats: ['chat-a', 'chat-b'],
    now,
  });
});
afterEach(async () => {
  await ding.close();
});

type Spec = SendContext<'dingtalk'>['target']['spec'];
type Bot = NonNullable<Spec['chatbot']>;

function ctx(spec: Spec, opts: { text?: string; options?: Record<string, unknown>; appsecret?: string } = {}): SendContext<'dingtalk'> {
  const c = sendContext({
    channel: 'dingtalk',
    spec,
    config: { apiUrl: ding.apiUrl, conversation: { appkey: { value: APPKEY }, appsecret: { value: opts.appsecret ?? APPSECRET } } },
    options: { timeoutMs: 10_000, ...opts.options },
  });
  const text = opts.text;
  return text === undefined ? c : { ...c, templates: { render: (kind) => (kind === 'title' ? 'title' : text) } };
}

const bot = (extra: Partial<Bot> = {}): Bot => ({ webhook: { value: ding.robotUrl }, secret: { value: SECRET }, keywords: ['herald'], ...extra });

function chineseText(bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `第${i}条：节点磁盘使用率超过百分之九十，请尽快处理。"引号"与\\反斜杠`;
    lines.push(line);
    size += utf8Length(line) + 1;
  }
  return lines.join('\n');
}

describe('DingTalkNotifier robot', () => {
  it('signs the webhook, appends the keyword and mentions, and reports DingTalk’s answer', async () => {
    const result = await notifier().send(ctx({ chatbot: bot({ atMobiles: ['13800000000'], atUsers: ['user01'], atAll: false }) }));
    const url = new URL(ding.requests[0]?.url ?? '', 'http://x');
    expect(url.pathname).toBe('/robot/send');
    expect(url.searchParams.get('access_token')).toBe(ROBOT_TOKEN);
    expect(url.searchParams.get('timestamp')).toBe(String(clock));
    const expected = createHmac('sha256', SECRET).update(`${clock}\n${SECRET}`).digest('base64');
    expect(url.searchParams.get('sign')).toBe(expected);
    expect(JSON.parse(ding.requests[0]?.body ?? '{}')).toEqual({
      msgtype: 'text',
      text: { content: 'text:default:2\n\n@13800000000 @user01\n\nherald' },
      at: { atMobiles: ['13800000000'], atUserIds: ['user01'] },
    });
    expect(result).toEqual({ answer: 'chatbot: errcode 0 ok', messages: 1 });
  });

  it('sends markdown with the rendered title, and leaves a message that has a keyword as it is', async () => {
    await notifier().send(ctx({ tmplType: 'markdown', chatbot: bot({ atAll: true }) }, { text: '### herald alert' }));
    expect(ding.robotMessages).toEqual([
      { msgtype: 'markdown', title: 'title', content: '### herald alert', at: { isAtAll: true }, at_ms: clock },
    ]);
  });

  it('fails terminally on a wrong signing secret, without the secret or the signature in the message', async () => {
    const wrong = 'SECwrong-secret-value';
    const err = await deliveryErrorOf(notifier().send(ctx({ chatbot: bot({ secret: { value: wrong } }) })));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/errcode 310000 sign not match/);
    expect(err.reason).toBe('auth');
    expect(err.message).not.toContain(wrong);
    expect(err.message).not.toContain(ROBOT_TOKEN);
    const sign = new URL(ding.requests[0]?.url ?? '', 'http://x').searchParams.get('sign') ?? '?';
    expect(err.message).not.toContain(sign);
    expect(err.message).not.toContain(encodeURIComponent(sign));
  });

  it('splits Chinese text so every request body stays within 20000 bytes, with a keyword in each, nothing lost', async () => {
    const text = chineseText(50_000);
    const result = await notifier().send(ctx({ chatbot: bot({ atMobiles: ['13800000000'] }) }, { text }));
    const bodies = ding.requests.map((r) => r.body);
    expect(bodies.length).toBe(3);
    expect(result.messages).toBe(3);
    for (const b of bodies) expect(utf8Length(b)).toBeLessThanOrEqual(20_000);
    const contents = ding.robotMessages.map((m) => m.content);
    expect(contents.every((c) => c.endsWith('\n\nherald'))).toBe(true);
    const rebuilt = contents.map((c, i) => c.slice(0, -'\n\nherald'.length).replace(i === 0 ? '\n\n@13800000000' : '', '')).join('');
    expect(rebuilt).toBe(text);
    expect(ding.robotMessages[1]?.at).toEqual({ atMobiles: ['13800000000'] });
  });

  it('sends a body of exactly 20000 bytes of Chinese as one message, and one character more as two, cut between characters', async () => {
    const envelope = Buffer.byteLength(JSON.stringify({ msgtype: 'text', text: { content: '\n\nherald' }, at: {} }));
    const room = 20_000 - envelope;
    const exact = '告'.repeat(Math.floor(room / 3)) + 'a'.repeat(room % 3);
    await notifier().send(ctx({ chatbot: bot() }, { text: exact }));
    expect(ding.requests.map((r) => Buffer.byteLength(r.body))).toEqual([20_000]);
    expect(ding.robotMessages.map((m) => m.content)).toEqual([`${exact}\n\nherald`]);
    ding.robotMessages.length = 0;
    const over = `告${exact}`;
    await notifier().send(ctx({ chatbot: bot() }, { text: over }));
    const sizes = ding.requests.slice(1).map((r) => Buffer.byteLength(r.body));
    expect(sizes).toHaveLength(2);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(20_000);
    const parts = ding.robotMessages.map((m) => m.content.slice(0, -'\n\nherald'.length));
    expect(parts.join('')).toBe(over);
    expect(parts.every((p) => !p.includes('\uFFFD'))).toBe(true);
  });

  it('keeps to 20 messages a minute per robot: the 21st is retried later, never refused by DingTalk', async () => {
    const n = notifier();
    for (let i = 0; i < 20; i++) await n.send(ctx({ chatbot: bot() }));
    const err = await deliveryErrorOf(n.send(ctx({ chatbot: bot() })));
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBe(55_000); // the slot frees in 60s; the send may wait 5s of it itself
    expect(ding.requests).toHaveLength(20);
    clock += 55_000;
    await n.send(ctx({ chatbot: bot() }));
    expect(ding.robotMessages).toHaveLength(21);
    expect(ding.requests).toHaveLength(21);
  });

  it('honours Settings chatBotThrottle and spaces a split message over the window when it fits the wait', async () => {
    const n = notifier();
    const options = { chatBotThrottle: { threshold: 2, unit: '2s', maxWaitTime: '5s' } };
    const text = chineseText(30_000); // two messages
    await n.send(ctx({ chatbot: bot() }, { text, options }));
    await n.send(ctx({ chatbot: bot() }, { text, options }));
    const at = ding.robotMessages.map((m) => m.at_ms - 1_700_000_000_000);
    expect(at).toEqual([0, 0, 2000, 2000]);
  });

  it('treats 130101 (robot throttled by DingTalk) as retryable after 10 minutes and holds later sends', async () => {
    // Another agent filled the robot's minute.
    const other = new DingTalkNotifier({ now, sleep });
    for (let i = 0; i < 20; i++) await other.send(ctx({ chatbot: bot() }));
    const n = notifier();
    const err = await deliveryErrorOf(n.send(ctx({ chatbot: bot() })));
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBe(600_000);
    expect(err.message).toMatch(/errcode 130101 send too fast/);
    expect(err.reason).toBe('rate-limited');
    const before = ding.requests.length;
    const held = await deliveryErrorOf(n.send(ctx({ chatbot: bot() })));
    expect(held.retryable).toBe(true);
    expect(held.reason).toBe('rate-limited');
    expect(ding.requests.length).toBe(before);
  });

  it('fails terminally when the robot token does not exist, with the token redacted', async () => {
    const c = ctx({ chatbot: bot({ webhook: { value: ding.robotUrl.replace(ROBOT_TOKEN, 'gone-token-xyz') } }) });
    const err = await deliveryErrorOf(notifier().send(c));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/access_token=<redacted>.*errcode 300001 token is not exist/);
    expect(err.message).not.toContain('gone-token-xyz');
  });

  it('keeps the access token out of an answer that quotes the request line back', async () => {
    const quoting = await startHttpServer({ handler: (req) => json(200, { errcode: 300001, errmsg: `token is not exist: ${req.method} ${req.url}` }) });
    try {
      const c = ctx({ chatbot: bot({ webhook: { value: `${quoting.origin}/robot/send?access_token=${ROBOT_TOKEN}` } }) });
      const err = await deliveryErrorOf(notifier().send(c));
      expect(err.message).toMatch(/token is not exist: POST \/robot\/send\?access_token=<redacted>&timestamp=/);
      expect(err.message).not.toContain(ROBOT_TOKEN);
    } finally {
      await quoting.close();
    }
  });
});

describe('DingTalkNotifier conversation', () => {
  it('gets an app token once and sends to every chat, markdown with its title', async () => {
    const n = notifier();
    const result = await n.send(ctx({ tmplType: 'markdown', conversation: { chatids: ['chat-a', 'chat-b'] } }));
    await n.send(ctx({ conversation: { chatids: ['chat-a'] } }));
    expect(ding.tokensIssued).toHaveLength(1);
    expect(ding.requests[0]?.url).toBe(`/gettoken?appkey=${APPKEY}&appsecret=${APPSECRET}`);
    expect(ding.requests[1]?.url).toBe(`/chat/send?access_token=${ding.tokensIssued[0]}`);
    expect(ding.chatMessages).toEqual([
      { chatid: 'chat-a', msgtype: 'markdown', title: 'title:default:2', content: 'markdown:default:2' },
      { chatid: 'chat-b', msgtype: 'markdown', title: 'title:default:2', content: 'markdown:default:2' },
      { chatid: 'chat-a', msgtype: 'text', content: 'text:default:2' },
    ]);
    expect(result.answer).toBe('chat chat-a: errcode 0 ok; chat chat-b: errcode 0 ok');
  });

  it('splits at 5000 bytes, in order', async () => {
    const text = chineseText(12_000);
    await notifier().send(ctx({ conversation: { chatids: ['chat-a'] } }, { text }));
    const contents = ding.chatMessages.map((m) => m.content);
    expect(contents.length).toBe(3);
    for (const c of contents) expect(utf8Length(c)).toBeLessThanOrEqual(5000);
    expect(contents.join('')).toBe(text);
  });

  it('refreshes an expired token once (42001)', async () => {
    const n = notifier();
    await n.send(ctx({ conversation: { chatids: ['chat-a'] } }));
    ding.expireTokens();
    await n.send(ctx({ conversation: { chatids: ['chat-b'] } }));
    expect(ding.tokensIssued).toHaveLength(2);
    expect(ding.chatMessages.map((m) => m.chatid)).toEqual(['chat-a', 'chat-b']);
  });

  it('is retryable when DingTalk is busy (-1) and terminal for an unknown chat, still sending to the others', async () => {
    ding.mode = 'busy';
    const busy = await deliveryErrorOf(notifier().send(ctx({ conversation: { chatids: ['chat-a', 'chat-b'] } })));
    expect(busy.retryable).toBe(true);
    expect(busy.message).toMatch(/chat chat-a: dingtalk chat\/send: errcode -1 system busy; not attempted: chat chat-b/);
    ding.mode = 'ok';
    const err = await deliveryErrorOf(notifier().send(ctx({ conversation: { chatids: ['nope', 'chat-b'] } })));
    expect(err.retryable).toBe(false);
    expect(err.message).toBe('dingtalk: chat nope: dingtalk chat/send: errcode 40035 invalid chatid; already sent: chat chat-b');
  });

  it('fails terminally on wrong app credentials without revealing them', async () => {
    const wrong = 'wrong-app-secret-value';
    const err = await deliveryErrorOf(notifier().send(ctx({ conversation: { chatids: ['chat-a'] } }, { appsecret: wrong })));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/dingtalk gettoken: errcode 40089/);
    expect(err.message).not.toContain(wrong);
  });
});
