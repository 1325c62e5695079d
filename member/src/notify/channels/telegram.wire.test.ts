import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TelegramNotifier } from './telegram.js';
import { deliveryErrorOf, sendContext } from '../../../../test/wire/context.js';
import { startFakeTelegram, type FakeTelegram } from '../../../../test/wire/telegram.js';
import { chineseText, han, textRenderer, wholeCodePoints } from '../../../../test/wire/text.js';

const TOKEN = '123456789:AAE-SeCrEtBoTtOkEn_abcdefghijklmno';

let telegram: FakeTelegram;

beforeEach(async () => {
  telegram = await startFakeTelegram({
    token: TOKEN,
    chats: { known: { '-1001': -1001, '@ops_channel': -1002, '-1003': -1003, '-1004': -1004 }, blocked: ['-1004'], migrated: { '-5': -1005 } },
  });
});
afterEach(async () => {
  await telegram.close();
});

function ctx(channels: string[], opts: { body?: string; mentionedUsers?: string[]; token?: string; apiUrl?: string } = {}) {
  const c = sendContext({
    channel: 'telegram',
    spec: { channels, ...(opts.mentionedUsers ? { mentionedUsers: opts.mentionedUsers } : {}) },
    config: { telegramTokenSecret: { value: opts.token ?? TOKEN }, apiUrl: opts.apiUrl ?? `${telegram.apiUrl}/` },
  });
  return opts.body === undefined ? c : { ...c, templates: textRenderer(opts.body) };
}

describe('TelegramNotifier', () => {
  it('sends the text to every chat in order, with the token in the path and mentions first', async () => {
    const result = await new TelegramNotifier().send(ctx(['-1001', '@ops_channel'], { mentionedUsers: ['alice', '@bob'] }));
    expect(telegram.messages).toEqual([
      { chat_id: '-1001', text: '@alice @bob\ntext:default:2' },
      { chat_id: '@ops_channel', text: '@alice @bob\ntext:default:2' },
    ]);
    expect(telegram.requests.map((r) => r.url)).toEqual([`/bot${TOKEN}/sendMessage`, `/bot${TOKEN}/sendMessage`]);
    expect(result).toEqual({ answer: '2 messages: HTTP 200 message 101 … HTTP 200 message 102', messages: 2 });
  });

  it('keeps 4096 Chinese characters in one message and splits at 4097', async () => {
    await new TelegramNotifier().send(ctx(['-1001'], { body: han(4096) }));
    await new TelegramNotifier().send(ctx(['-1001'], { body: han(4097) }));
    expect(telegram.messages.map((m) => m.text)).toEqual([han(4096), han(4096), han(1)]);
  });

  it('splits long Chinese text with emoji without cutting a character, losing nothing, in order', async () => {
    const text = chineseText(300, 3000);
    const result = await new TelegramNotifier().send(ctx(['-1001'], { body: text }));
    const parts = telegram.messages.map((m) => m.text);
    expect(parts.length).toBeGreaterThan(2);
    expect(result.messages).toBe(parts.length);
    expect(parts.join('')).toBe(text);
    expect(wholeCodePoints(parts)).toBe(true);
    expect(parts.every((p) => p.length <= 4096)).toBe(true);
  });

  it('fails terminally with Telegram’s description for a chat not found, still sending to the other chats', async () => {
    const err = await deliveryErrorOf(new TelegramNotifier().send(ctx(['-1001', '-999', '-1004', '-1003'])));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/-999: telegram sendMessage: HTTP 400 .*Bad Request: chat not found/);
    expect(err.message).toMatch(/-1004: .*HTTP 403 .*Forbidden: bot was blocked by the user/);
    expect(err.message).toMatch(/already sent to -1001, -1003/);
    expect(telegram.messages.map((m) => m.chat_id)).toEqual(['-1001', '-1003']);
  });

  it('names the supergroup a migrated group became', async () => {
    const err = await deliveryErrorOf(new TelegramNotifier().send(ctx(['-5'])));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/the group is now chat -1005/);
  });

  it('stops at a wrong token, which never appears in the error', async () => {
    const wrong = '987654321:AAWrongTokenSECRET';
    const err = await deliveryErrorOf(new TelegramNotifier().send(ctx(['-1001', '-1003'], { token: wrong })));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/HTTP 401 .*Unauthorized/);
    expect(err.message).toMatch(/not attempted: -1003/);
    expect(err.message).not.toContain(wrong);
    expect(telegram.requests).toHaveLength(1);
  });

  it('is retryable after parameters.retry_after when rate limited, and stops there', async () => {
    telegram.mode = 'ratelimited';
    const err = await deliveryErrorOf(new TelegramNotifier().send(ctx(['-1001', '-1003'])));
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBe(5000);
    expect(err.message).toMatch(/Too Many Requests: retry after 5/);
    expect(telegram.requests).toHaveLength(1);
  });

  it('is retryable on a 502 and when the API cannot be reached, without the token', async () => {
    telegram.mode = 'unavailable';
    const err = await deliveryErrorOf(new TelegramNotifier().send(ctx(['-1001'])));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/HTTP 502/);
    const { apiUrl } = telegram;
    await telegram.close();
    const down = await deliveryErrorOf(new TelegramNotifier().send(ctx(['-1001'], { apiUrl })));
    expect(down.retryable).toBe(true);
    expect(down.message).toMatch(/ECONNREFUSED/);
    expect(down.message).not.toContain(TOKEN);
    telegram = await startFakeTelegram({ token: TOKEN, chats: { known: {} } });
  });

  it('keeps the token out of an aborted send', async () => {
    const c = { ...ctx(['-1001']), signal: AbortSignal.abort(new Error('deadline passed')) };
    const err = await deliveryErrorOf(new TelegramNotifier().send(c));
    expect(err.message).toMatch(/aborted: deadline passed/);
    expect(err.message).not.toContain(TOKEN);
    expect(err.message).not.toContain('SeCrEtBoTtOkEn');
  });

  it('waits without a Config (retryable: one created later delivers)', async () => {
    const c = sendContext({ channel: 'telegram', spec: { channels: ['-1001'] } });
    const err = await deliveryErrorOf(new TelegramNotifier().send(c));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/^no telegram Config selected for receiver .*: create a type=default telegram Config or fix telegramConfigSelector$/);
  });
});
