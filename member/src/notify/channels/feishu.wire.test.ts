import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FeishuNotifier } from './feishu.js';
import { utf8Length } from '../../template/split.js';
import type { SendContext } from '../notifier.js';
import { deliveryErrorOf, sendContext } from '../../../../test/wire/context.js';
import { startFakeFeishu, type FakeFeishu } from '../../../../test/wire/feishu.js';

const APP_ID = 'cli_a1b2c3d4e5';
const APP_SECRET = 'FeIsHu-app-SeCrEt-42';
const BOT_TOKEN = 'b0t-T0KEN-5f6e7d';
const BOT_SECRET = 'bot-SiGn-SeCrEt';

let feishu: FakeFeishu;
let clock: number;
const now = (): number => clock;
const sleep = (at: number): Promise<void> => {
  clock = Math.max(clock, at);
  return Promise.resolve();
};
const notifier = (): FeishuNotifier => new FeishuNotifier({ now, sleep });

beforeEach(async () => {
  clock = 1_700_000_000_000;
  feishu = await startFakeFeishu({
    appId: APP_ID,
    appSecret: APP_SECRET,
    users: ['u1', 'u2', ...Array.from({ length: 450 }, (_, i) => `x${i}`)],
    departments: ['d1'],
    botToken: BOT_TOKEN,
    botSecret: BOT_SECRET,
    keywords: ['herald'],
    now,
  });
});
afterEach(async () => {
  await feishu.close();
});

type Spec = SendContext<'feishu'>['target']['spec'];

function ctx(spec: Spec, opts: { text?: string; appSecret?: string; botSecret?: string } = {}): SendContext<'feishu'> {
  const c = sendContext({
    channel: 'feishu',
    spec,
    config: { appID: { value: APP_ID }, appSecret: { value: opts.appSecret ?? APP_SECRET }, apiUrl: feishu.apiUrl },
    options: { timeoutMs: 10_000 },
  });
  const text = opts.text;
  return text === undefined ? c : { ...c, templates: { render: (kind) => (kind === 'title' ? '告警' : text) } };
}

const chatbot = (secret = BOT_SECRET): NonNullable<Spec['chatbot']> => ({
  webhook: { value: feishu.botUrl },
  secret: { value: secret },
  keywords: ['herald'],
});

function chineseText(bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `第${i}条：容器内存使用率超过限制，已被重启。`;
    lines.push(line);
    size += utf8Length(line) + 1;
  }
  return lines.join('\n');
}

/** The text of a post, paragraphs joined by line breaks. */
function postText(content: Record<string, unknown>): string {
  const post = content['post'] as { zh_cn: { content: Array<Array<{ text: string }>> } };
  return post.zh_cn.content.map((p) => p.map((e) => e.text).join('')).join('\n');
}

describe('FeishuNotifier app API', () => {
  it('gets a tenant token once and batch-sends a post to users and departments', async () => {
    const n = notifier();
    const result = await n.send(ctx({ user: ['u1', 'u2'], department: ['d1'] }));
    await n.send(ctx({ user: ['u1'] }));
    expect(feishu.tokensIssued).toHaveLength(1);
    expect(feishu.requests[0]?.url).toBe('/open-apis/auth/v3/tenant_access_token/internal');
    expect(JSON.parse(feishu.requests[0]?.body ?? '{}')).toEqual({ app_id: APP_ID, app_secret: APP_SECRET });
    const send = feishu.requests[1];
    expect(send?.url).toBe('/open-apis/message/v4/batch_send/');
    expect(send?.headers.authorization).toBe(`Bearer ${feishu.tokensIssued[0]}`);
    expect(JSON.parse(send?.body ?? '{}')).toEqual({
      user_ids: ['u1', 'u2'],
      department_ids: ['d1'],
      msg_type: 'post',
      content: { post: { zh_cn: { title: 'title:default:2', content: [[{ tag: 'text', text: 'text:default:2' }]] } } },
    });
    expect(result).toEqual({ answer: 'app: code 0 ok', messages: 1 });
  });

  it('sends text, and names the IDs Feishu could not deliver to', async () => {
    const result = await notifier().send(ctx({ tmplType: 'text', user: ['u1', 'ghost'], department: ['d9'] }));
    expect(feishu.appMessages[0]).toMatchObject({ msg_type: 'text', content: { text: 'text:default:2' } });
    expect(result.answer).toBe('app: code 0 ok (not delivered: invalid_user_ids=ghost invalid_department_ids=d9)');
  });

  it('batches at most 200 users per request', async () => {
    const users = Array.from({ length: 450 }, (_, i) => `x${i}`);
    const result = await notifier().send(ctx({ user: users }));
    expect(feishu.appMessages.map((m) => m.user_ids?.length)).toEqual([200, 200, 50]);
    expect(feishu.appMessages.flatMap((m) => m.user_ids)).toEqual(users);
    expect(result.messages).toBe(3);
  });

  it('splits a long Chinese post so each request stays within 30 KB, nothing lost, in order', async () => {
    const text = chineseText(70_000);
    await notifier().send(ctx({ user: ['u1'] }, { text }));
    // Each paragraph costs its JSON envelope too, so 70 KB of text takes four 30 KB posts.
    expect(feishu.appMessages.length).toBe(4);
    for (const r of feishu.requests.slice(1)) expect(utf8Length(r.body)).toBeLessThanOrEqual(30 * 1024);
    const texts = feishu.appMessages.map((m) => postText(m.content));
    // A cut falls after a line break, so the break ends the earlier chunk as an empty paragraph.
    expect(texts.join('')).toBe(text);
  });

  it('sends a post the template rendered as JSON as it is', async () => {
    const own = { zh_cn: { title: '自定义', content: [[{ tag: 'text', text: '磁盘告警' }]] } };
    await notifier().send(ctx({ user: ['u1'] }, { text: JSON.stringify(own) }));
    expect(feishu.appMessages[0]?.content).toEqual({ post: own });
  });

  it('refreshes the tenant token once when Feishu rejects it, and when it reaches its expiry', async () => {
    const n = notifier();
    await n.send(ctx({ user: ['u1'] }));
    feishu.expireTokens();
    await n.send(ctx({ user: ['u2'] }));
    expect(feishu.tokensIssued).toHaveLength(2);
    clock += 2 * 3600_000;
    await n.send(ctx({ user: ['u1'] }));
    expect(feishu.tokensIssued).toHaveLength(3);
    expect(feishu.appMessages).toHaveLength(3);
  });

  it('is retryable after the reset Feishu names when rate limited (99991400)', async () => {
    feishu.mode = 'ratelimited';
    const err = await deliveryErrorOf(notifier().send(ctx({ user: ['u1'] })));
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBe(3000);
    expect(err.message).toMatch(/code 99991400 request trigger frequency limit/);
  });

  it('fails terminally on a wrong app secret without revealing it', async () => {
    const wrong = 'wrong-FeIsHu-secret';
    const err = await deliveryErrorOf(notifier().send(ctx({ user: ['u1'] }, { appSecret: wrong })));
    expect(err.retryable).toBe(false);
    expect(err.message).toBe('feishu: app: feishu tenant_access_token: code 10014 app secret invalid');
  });
});

describe('FeishuNotifier bot', () => {
  it('signs the message (key timestamp\\nsecret over nothing) and appends the keyword', async () => {
    const result = await notifier().send(ctx({ tmplType: 'text', chatbot: chatbot() }));
    const body = JSON.parse(feishu.requests[0]?.body ?? '{}') as Record<string, unknown>;
    expect(body['timestamp']).toBe(String(clock / 1000));
    expect(body['msg_type']).toBe('text');
    expect(body['content']).toEqual({ text: 'text:default:2\n\nherald' });
    expect(feishu.botMessages).toHaveLength(1);
    expect(result).toEqual({ answer: 'chatbot: code 0 success', messages: 1 });
  });

  it('sends a post with the keyword as its last paragraph', async () => {
    await notifier().send(ctx({ chatbot: chatbot() }));
    expect(postText(feishu.botMessages[0]?.content ?? {})).toBe('text:default:2\n\nherald');
  });

  it('fails terminally on a wrong signing secret (19021), without the secret or the bot token', async () => {
    const err = await deliveryErrorOf(notifier().send(ctx({ chatbot: chatbot('wrong-bot-secret') })));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/code 19021 sign match fail/);
    expect(err.message).not.toContain('wrong-bot-secret');
    expect(err.message).not.toContain(BOT_TOKEN);
  });

  it('splits at 20 KB per request, in order', async () => {
    const text = chineseText(45_000);
    await notifier().send(ctx({ tmplType: 'text', chatbot: chatbot() }, { text }));
    expect(feishu.botMessages.length).toBe(3);
    for (const r of feishu.requests) expect(utf8Length(r.body)).toBeLessThanOrEqual(20 * 1024);
    const texts = feishu.botMessages.map((m) => String(m.content['text']).replace(/\n\nherald$/, ''));
    expect(texts.join('')).toBe(text);
  });

  it('sends a signed body of exactly 20 KB of Chinese as one message, and one character more as two, cut between characters', async () => {
    const envelope = Buffer.byteLength(JSON.stringify({ timestamp: '1700000000', sign: 'x'.repeat(44), msg_type: 'text', content: { text: '\n\nherald' } }));
    const room = 20 * 1024 - envelope;
    const exact = '告'.repeat(Math.floor(room / 3)) + 'a'.repeat(room % 3);
    await notifier().send(ctx({ tmplType: 'text', chatbot: chatbot() }, { text: exact }));
    expect(feishu.requests.map((r) => Buffer.byteLength(r.body))).toEqual([20 * 1024]);
    expect(feishu.botMessages.map((m) => m.content['text'])).toEqual([`${exact}\n\nherald`]);
    feishu.botMessages.length = 0;
    const over = `告${exact}`;
    await notifier().send(ctx({ tmplType: 'text', chatbot: chatbot() }, { text: over }));
    const sizes = feishu.requests.slice(1).map((r) => Buffer.byteLength(r.body));
    expect(sizes).toHaveLength(2);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(20 * 1024);
    const parts = feishu.botMessages.map((m) => String(m.content['text']).replace(/\n\nherald$/, ''));
    expect(parts.join('')).toBe(over);
    expect(parts.every((p) => !p.includes('\uFFFD'))).toBe(true);
  });

  it('keeps to 5 messages a second: the sixth waits for the next second instead of being refused', async () => {
    const n = notifier();
    for (let i = 0; i < 7; i++) await n.send(ctx({ tmplType: 'text', chatbot: chatbot() }));
    expect(feishu.botMessages.map((m) => m.at_ms - 1_700_000_000_000)).toEqual([0, 0, 0, 0, 0, 1000, 1000]);
    expect(feishu.requests).toHaveLength(7);
  });
});
