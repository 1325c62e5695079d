import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiscordNotifier } from './discord.js';
import { deliveryErrorOf, sendContext } from '../../../../test/wire/context.js';
import { startFakeDiscord, type FakeDiscord } from '../../../../test/wire/discord.js';
import { chineseText, han, textRenderer, wholeCodePoints } from '../../../../test/wire/text.js';
import type { ReceiverBlock } from '../notifier.js';

const ID = '1234567890';
const TOKEN = 'dIsCoRdWeBhOoKtOkEn-SeCrEt_0123456789';

let discord: FakeDiscord;

beforeEach(async () => {
  discord = await startFakeDiscord({ id: ID, token: TOKEN });
});
afterEach(async () => {
  await discord.close();
});

function ctx(spec: Partial<ReceiverBlock<'discord'>> = {}, body?: string) {
  const c = sendContext({ channel: 'discord', spec: { webhook: { value: discord.webhookUrl }, ...spec } });
  return body === undefined ? c : { ...c, templates: textRenderer(body) };
}

const contents = (): string[] => discord.messages.map((m) => m.content ?? '');

describe('DiscordNotifier', () => {
  it('posts the markdown text as content, mentioning only the configured users and roles', async () => {
    const result = await new DiscordNotifier().send(ctx({ mentionedUsers: ['111'], mentionedRoles: ['222'] }));
    expect(discord.messages).toEqual([
      { content: '<@111> <@&222>\nmarkdown:default:2', allowed_mentions: { parse: [], users: ['111'], roles: ['222'] } },
    ]);
    expect(discord.requests[0]?.url).toBe(`/api/webhooks/${ID}/${TOKEN}?wait=true`);
    expect(result).toEqual({ answer: expect.stringMatching(/^HTTP 200 message \d+$/) as unknown, messages: 1 });
    expect(result.answer).not.toContain(TOKEN);
  });

  it('keeps 2000 characters of Chinese text in one message and splits at 2001 (Discord counts characters, not bytes)', async () => {
    await new DiscordNotifier().send(ctx({}, han(2000)));
    expect(contents()).toEqual([han(2000)]);
    discord.messages.length = 0;
    await new DiscordNotifier().send(ctx({}, han(2001)));
    expect(contents()).toEqual([han(2000), han(1)]);
  });

  it('splits long Chinese text at line breaks, never inside a character, losing nothing and keeping order', async () => {
    const text = chineseText(150, 2500);
    const result = await new DiscordNotifier().send(ctx({ mentionedUsers: ['111'] }, text));
    const parts = contents();
    expect(parts.length).toBeGreaterThan(2);
    expect(result.messages).toBe(parts.length);
    expect(parts[0]?.startsWith('<@111>\n')).toBe(true);
    const bodies = [parts[0]?.slice('<@111>\n'.length) ?? '', ...parts.slice(1)];
    expect(bodies.join('')).toBe(text);
    expect(wholeCodePoints(bodies)).toBe(true);
    expect(bodies.every((p) => [...p].length <= 2000)).toBe(true);
    // Cut after a line break where one fits: the first part ends a line.
    expect(bodies[0]?.endsWith('\n')).toBe(true);
  });

  it("titles an embed with the receiver's titleTemplate, else the Settings option", async () => {
    await new DiscordNotifier().send(ctx({ type: 'embed', titleTemplate: 'ops-title' }));
    await new DiscordNotifier().send({ ...ctx({ type: 'embed' }), options: { timeoutMs: 10_000, titleTemplate: 'settings-title' } });
    expect(discord.messages.map((m) => m.embeds?.[0]?.title)).toEqual(['title:ops-title:2', 'title:settings-title:2']);
  });

  it('sends an embed per 4096 characters, titled with its part number and coloured by status', async () => {
    const text = han(4096) + han(10);
    await new DiscordNotifier().send(ctx({ type: 'embed', mentionedRoles: ['9'] }, text));
    expect(discord.messages.map((m) => m.embeds?.[0]?.title)).toEqual(['[FIRING:2] 磁盘告警 (east) (1/2)', '[FIRING:2] 磁盘告警 (east) (2/2)']);
    expect(discord.messages.map((m) => m.embeds?.[0]?.description)).toEqual([han(4096), han(10)]);
    expect(discord.messages.map((m) => m.content)).toEqual(['<@&9>', undefined]);
    expect(discord.messages[0]?.embeds?.[0]?.color).toBe(0xe74c3c);
  });

  it('is retryable after the body retry_after (fractional seconds) when rate limited', async () => {
    discord.mode = 'ratelimited';
    const err = await deliveryErrorOf(new DiscordNotifier().send(ctx()));
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBe(1500);
    expect(err.message).toMatch(/HTTP 429 .*You are being rate limited/);
    expect(discord.requests).toHaveLength(1);
  });

  it('stops at the first failing part and says how many went before', async () => {
    discord.rateLimitAfter = 1;
    const err = await deliveryErrorOf(new DiscordNotifier().send(ctx({}, han(4500))));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/message 2 of 3; 1 earlier accepted/);
    expect(discord.requests).toHaveLength(2);
  });

  it('is retryable on a 502 from the edge', async () => {
    discord.mode = 'unavailable';
    const err = await deliveryErrorOf(new DiscordNotifier().send(ctx()));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/HTTP 502/);
  });

  it('fails terminally with Discord’s answer for a wrong token, without the token', async () => {
    const wrong = `${discord.origin}/api/webhooks/${ID}/wrong-SECRET-token?thread_id=77`;
    const c = sendContext({ channel: 'discord', spec: { webhook: { value: wrong } } });
    const err = await deliveryErrorOf(new DiscordNotifier().send(c));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/HTTP 401 .*Invalid Webhook Token.*50027/);
    expect(err.message).not.toContain('wrong-SECRET-token');
  });

  it('fails terminally for an unknown webhook and for a webhook that is not a URL', async () => {
    const unknown = sendContext({ channel: 'discord', spec: { webhook: { value: `${discord.origin}/api/webhooks/999/${TOKEN}` } } });
    const err = await deliveryErrorOf(new DiscordNotifier().send(unknown));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/Unknown Webhook/);
    expect(err.message).not.toContain(TOKEN);
    const bad = sendContext({ channel: 'discord', spec: { webhook: { value: 'not a url with SECRET' } } });
    const err2 = await deliveryErrorOf(new DiscordNotifier().send(bad));
    expect(err2.message).toBe('spec.discord.webhook is not a URL');
  });

  it('keeps the token out of an aborted send', async () => {
    const c = { ...ctx(), signal: AbortSignal.abort(new Error('deadline passed')) };
    const err = await deliveryErrorOf(new DiscordNotifier().send(c));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/aborted: deadline passed/);
    expect(err.message).not.toContain(TOKEN);
  });
});
