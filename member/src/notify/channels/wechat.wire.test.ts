import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WechatNotifier } from './wechat.js';
import { utf8Length } from '../../template/split.js';
import type { SendContext } from '../notifier.js';
import { deliveryErrorOf, sendContext } from '../../../../test/wire/context.js';
import { startFakeWechat, type FakeWechat } from '../../../../test/wire/wechat.js';
import { json, startHttpServer } from '../../../../test/wire/http-server.js';

const CORP = 'ww0123456789abcdef';
const SECRET = 'app-SeCrEt-0123456789';
const BOT_KEY = 'bot-KeY-9f8e7d6c';

let wechat: FakeWechat;
let clock: number;
const now = (): number => clock;
/** A sleep that moves the fake clock, so rate-limit waits take no real time. */
const sleep = (at: number): Promise<void> => {
  clock = Math.max(clock, at);
  return Promise.resolve();
};
const notifier = (): WechatNotifier => new WechatNotifier({ now, sleep });

beforeEach(async () => {
  clock = 1_700_000_000_000;
  wechat = await startFakeWechat({
    corpId: CORP,
    corpSecret: SECRET,
    agentId: 1000002,
    botKey: BOT_KEY,
    users: ['zhangsan', 'lisi', ...Array.from({ length: 2500 }, (_, i) => `u${i}`)],
    parties: ['2', ...Array.from({ length: 150 }, (_, i) => `p${i}`)],
    tags: ['1'],
    now,
  });
});
afterEach(async () => {
  await wechat.close();
});

type Spec = SendContext<'wechat'>['target']['spec'];

function ctx(spec: Spec, opts: { secret?: string; text?: string; options?: Record<string, unknown> } = {}): SendContext<'wechat'> {
  const c = sendContext({
    channel: 'wechat',
    spec,
    config: { wechatApiUrl: wechat.apiUrl, wechatApiCorpId: CORP, wechatApiAgentId: '1000002', wechatApiSecret: { value: opts.secret ?? SECRET } },
    options: { timeoutMs: 10_000, ...opts.options },
  });
  const text = opts.text;
  return text === undefined ? c : { ...c, templates: { render: () => text } };
}

/** Chinese alert text of about `bytes` UTF-8 bytes, in numbered lines so order can be checked. */
function chineseText(bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `第${i}行：节点磁盘使用率超过百分之九十，请尽快处理。`;
    lines.push(line);
    size += utf8Length(line) + 1;
  }
  return lines.join('\n');
}

describe('WechatNotifier app API', () => {
  it('gets a token once and sends text to users, parties and tags joined with |', async () => {
    const n = notifier();
    const result = await n.send(ctx({ toUser: ['zhangsan', 'lisi'], toParty: ['2'], toTag: ['1'] }));
    await n.send(ctx({ toUser: ['zhangsan'] }));
    expect(wechat.tokensIssued).toHaveLength(1);
    const get = wechat.requests[0];
    expect(get?.method).toBe('GET');
    expect(get?.url).toBe(`/cgi-bin/gettoken?corpid=${CORP}&corpsecret=${SECRET}`);
    const post = wechat.requests[1];
    expect(post?.url).toBe(`/cgi-bin/message/send?access_token=${wechat.tokensIssued[0]}`);
    expect(JSON.parse(post?.body ?? '{}')).toEqual({
      touser: 'zhangsan|lisi',
      toparty: '2',
      totag: '1',
      msgtype: 'text',
      agentid: 1000002,
      text: { content: 'text:default:2' },
      enable_duplicate_check: 1,
      duplicate_check_interval: 1800,
    });
    expect(result).toEqual({ answer: 'app: errcode 0 ok', messages: 1 });
  });

  it('sends markdown when tmplType is markdown', async () => {
    await notifier().send(ctx({ toUser: ['zhangsan'], tmplType: 'markdown' }));
    expect(wechat.messages).toEqual([{ touser: 'zhangsan', msgtype: 'markdown', agentid: 1000002, content: 'markdown:default:2' }]);
  });

  it('batches 1000 users and 100 parties per request', async () => {
    const users = Array.from({ length: 2500 }, (_, i) => `u${i}`);
    const parties = Array.from({ length: 150 }, (_, i) => `p${i}`);
    const result = await notifier().send(ctx({ toUser: users, toParty: parties }));
    expect(wechat.messages.map((m) => [m.touser?.split('|').length, m.toparty?.split('|').length ?? 0])).toEqual([
      [1000, 100],
      [1000, 50],
      [500, 0],
    ]);
    expect(wechat.messages.flatMap((m) => m.touser?.split('|'))).toEqual(users);
    expect(result.messages).toBe(3);
    expect(result.answer).toBe('app batch 1/3: errcode 0 ok; app batch 2/3: errcode 0 ok; app batch 3/3: errcode 0 ok');
  });

  it('splits Chinese text at 2048 bytes, never inside a character, keeping every line in order', async () => {
    const text = chineseText(5000);
    const result = await notifier().send(ctx({ toUser: ['zhangsan'] }, { text }));
    const contents = wechat.messages.map((m) => m.content);
    expect(contents.length).toBe(3);
    expect(result.messages).toBe(3);
    for (const c of contents) expect(utf8Length(c)).toBeLessThanOrEqual(2048);
    expect(contents.join('')).toBe(text);
    expect(contents.every((c) => !c.includes('\uFFFD'))).toBe(true);
  });

  it('sends exactly 2048 bytes as one message and 2049 as two', async () => {
    const exact = '告'.repeat(682) + 'ab'; // 682 × 3 + 2 = 2048 bytes
    await notifier().send(ctx({ toUser: ['zhangsan'] }, { text: exact }));
    expect(wechat.messages.map((m) => m.content)).toEqual([exact]);
    wechat.messages.length = 0;
    const over = `${exact}c`;
    // Another recipient: the same request body again would be dropped by WeChat's duplicate check.
    await notifier().send(ctx({ toUser: ['lisi'] }, { text: over }));
    expect(wechat.messages.map((m) => m.content)).toEqual([exact, 'c']);
  });

  it('refreshes the token once when WeChat says it expired (42001), and keeps using the new one', async () => {
    const n = notifier();
    await n.send(ctx({ toUser: ['zhangsan'] }));
    wechat.expireTokens();
    const result = await n.send(ctx({ toUser: ['lisi'] }));
    expect(result.answer).toBe('app: errcode 0 ok');
    expect(wechat.tokensIssued).toHaveLength(2);
    await n.send(ctx({ toUser: ['u1'] }));
    expect(wechat.tokensIssued).toHaveLength(2);
    expect(wechat.messages.map((m) => m.touser)).toEqual(['zhangsan', 'lisi', 'u1']);
  });

  it('asks for a new token when the cached one reaches its expiry', async () => {
    const n = notifier();
    await n.send(ctx({ toUser: ['zhangsan'] }));
    clock += 2 * 3600_000;
    await n.send(ctx({ toUser: ['zhangsan'] }));
    expect(wechat.tokensIssued).toHaveLength(2);
    // Nothing was sent with a stale token.
    expect(wechat.requests.filter((r) => r.url.includes(wechat.tokensIssued[0] ?? '?'))).toHaveLength(1);
  });

  it('reports invalid users in the answer, and fails terminally with 81013 when none is valid', async () => {
    const ok = await notifier().send(ctx({ toUser: ['zhangsan', 'ghost'], toParty: ['404'] }));
    expect(ok.answer).toBe('app: errcode 0 ok (not delivered: invaliduser=ghost invalidparty=404)');
    const err = await deliveryErrorOf(notifier().send(ctx({ toUser: ['ghost'] })));
    expect(err.retryable).toBe(false);
    expect(err.message).toBe('wechat: app: wechat message/send: errcode 81013 user & party & tag all invalid');
  });

  it('retries on system busy (-1) and on the frequency limit (45009) after a minute', async () => {
    wechat.mode = 'busy';
    const busy = await deliveryErrorOf(notifier().send(ctx({ toUser: ['zhangsan'] })));
    expect(busy.retryable).toBe(true);
    expect(busy.message).toMatch(/errcode -1 system busy/);
    expect(busy.reason).toBe('server-error');
    wechat.mode = 'freq';
    const freq = await deliveryErrorOf(notifier().send(ctx({ toUser: ['zhangsan'] })));
    expect(freq.retryable).toBe(true);
    expect(freq.retryAfterMs).toBe(60_000);
    expect(freq.message).toMatch(/errcode 45009 api freq out of limit/);
    expect(freq.reason).toBe('rate-limited');
  });

  it('fails terminally on a wrong secret without revealing it', async () => {
    const wrong = 'wrong-SeCrEt-value';
    const err = await deliveryErrorOf(notifier().send(ctx({ toUser: ['zhangsan'] }, { secret: wrong })));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/wechat gettoken: errcode 40001 invalid secret/);
    expect(err.message).not.toContain(wrong);
    expect(wechat.messages).toHaveLength(0);
  });

  it('rejects a non-numeric agent ID naming the field, and still sends to the bot', async () => {
    const c = ctx({ toUser: ['zhangsan'], chatbot: { webhook: { value: wechat.botUrl } } });
    const bad = { ...c, target: { ...c.target, config: { ...c.target.config!, wechatApiAgentId: 'abc' } } };
    const err = await deliveryErrorOf(notifier().send(bad));
    expect(err.retryable).toBe(false);
    expect(err.message).toBe('wechat: app: wechat: Config spec.wechat.wechatApiAgentId must be an integer; already sent: chatbot');
    expect(wechat.botMessages).toHaveLength(1);
  });

  it('a retry after a partial failure delivers the rest without repeating what went (duplicate check)', async () => {
    const text = chineseText(5000);
    const n = notifier();
    wechat.busyAt = 2; // the third chunk meets a busy WeChat
    const err = await deliveryErrorOf(n.send(ctx({ toUser: ['zhangsan'] }, { text })));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/errcode -1 system busy; already sent: app \(2 of 3 messages\)$/);
    expect(wechat.messages).toHaveLength(2);
    // The pipeline's retry sends the same notification again: WeChat drops the two repeats.
    await n.send(ctx({ toUser: ['zhangsan'] }, { text }));
    expect(wechat.messages.map((m) => m.content).join('')).toBe(text);
  });
});

describe('WechatNotifier group bot', () => {
  it('posts text with mention lists on the first message only', async () => {
    const text = chineseText(3000);
    const result = await notifier().send(
      ctx({ chatbot: { webhook: { value: wechat.botUrl }, atUsers: ['@all'], atMobiles: ['13800000000'] } }, { text }),
    );
    expect(wechat.botMessages.map((m) => m.content).join('')).toBe(text);
    expect(wechat.botMessages[0]).toMatchObject({ msgtype: 'text', mentioned_list: ['@all'], mentioned_mobile_list: ['13800000000'] });
    expect(wechat.botMessages[1]?.mentioned_list).toBeUndefined();
    expect(result).toEqual({ answer: 'chatbot: errcode 0 ok', messages: 2 });
    expect(result.answer).not.toContain(BOT_KEY);
  });

  it('splits markdown at 4096 bytes with <@user> mentions in the first message', async () => {
    const text = chineseText(9000);
    await notifier().send(ctx({ tmplType: 'markdown', chatbot: { webhook: { value: wechat.botUrl }, atUsers: ['zhangsan'] } }, { text }));
    const contents = wechat.botMessages.map((m) => m.content);
    expect(contents.length).toBe(3);
    for (const c of contents) expect(utf8Length(c)).toBeLessThanOrEqual(4096);
    expect(contents[0]?.endsWith('\n<@zhangsan>')).toBe(true);
    expect(contents.join('').replace('\n<@zhangsan>', '')).toBe(text);
  });

  it('holds to 20 messages a minute: the 21st waits for the window instead of being refused', async () => {
    const n = notifier();
    const bot = { chatbot: { webhook: { value: wechat.botUrl } } };
    for (let i = 0; i < 20; i++) await n.send(ctx(bot));
    const err = await deliveryErrorOf(n.send(ctx(bot)));
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBeGreaterThan(50_000);
    expect(err.message).toMatch(/the robot's limit \(20 per 60s\) is reached/);
    // Nothing was posted over the limit, so WeChat never answered 45009.
    expect(wechat.requests).toHaveLength(20);
    clock += 60_000;
    await n.send(ctx(bot));
    expect(wechat.botMessages).toHaveLength(21);
  });

  it('waits within the budget for a slot rather than failing', async () => {
    const n = notifier();
    const bot = { chatbot: { webhook: { value: wechat.botUrl } } };
    for (let i = 0; i < 20; i++) await n.send(ctx(bot));
    clock += 57_000; // the oldest slot frees in 3s, inside the 5s budget (half the 10s timeout)
    const result = await n.send(ctx(bot));
    expect(result.messages).toBe(1);
    expect(wechat.botMessages).toHaveLength(21);
  });

  it('fails terminally on a wrong key (93000) without the URL key in the message', async () => {
    const wrongUrl = wechat.botUrl.replace(BOT_KEY, 'not-the-key');
    const err = await deliveryErrorOf(notifier().send(ctx({ chatbot: { webhook: { value: wrongUrl } } })));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/errcode 93000 invalid webhook url/);
    // The key is the bot's credential: an operator alerting on auth failures must see this one.
    expect(err.reason).toBe('auth');
    expect(err.message).not.toContain('not-the-key');
    expect(err.message).toMatch(/key=<redacted>/);
  });

  it('keeps the key out of an answer that quotes the request line back', async () => {
    const quoting = await startHttpServer({ handler: (req) => json(200, { errcode: 40008, errmsg: `invalid message type: ${req.method} ${req.url}` }) });
    try {
      const err = await deliveryErrorOf(notifier().send(ctx({ chatbot: { webhook: { value: `${quoting.origin}/cgi-bin/webhook/send?key=${BOT_KEY}` } } })));
      expect(err.message).toContain('invalid message type: POST /cgi-bin/webhook/send?key=<redacted>');
      expect(err.message).not.toContain(BOT_KEY);
    } finally {
      await quoting.close();
    }
  });
});
