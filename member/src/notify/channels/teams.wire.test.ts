import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TeamsNotifier, teamsMessages } from './teams.js';
import { deliveryErrorOf, sendContext } from '../../../../test/wire/context.js';
import { startFakeTeams, TEAMS_LIMIT_BYTES, type FakeTeams, type TeamsCard } from '../../../../test/wire/teams.js';
import { chineseText, textRenderer } from '../../../../test/wire/text.js';
import { startHttpServer } from '../../../../test/wire/http-server.js';

const SIG = 'SiGnAtUrE-sEcReT_0123456789abcdef';

let teams: FakeTeams;

beforeEach(async () => {
  teams = await startFakeTeams({ workflow: 'a1b2c3', sig: SIG });
});
afterEach(async () => {
  await teams.close();
});

function ctx(opts: { webhook?: string; body?: string } = {}) {
  const c = sendContext({ channel: 'teams', spec: { webhook: { value: opts.webhook ?? teams.webhookUrl } } });
  return opts.body === undefined ? c : { ...c, templates: textRenderer(opts.body) };
}

/** The text of a card's blocks after the title, lines rejoined. */
const linesOf = (card: TeamsCard | undefined): string[] => (card?.body ?? []).slice(1).map((b) => b.text ?? '');

describe('TeamsNotifier', () => {
  it('posts an Adaptive Card 1.4 message: a title block, then the text', async () => {
    const result = await new TeamsNotifier().send(ctx({ body: '第一行\n第二行\n\n第三段' }));
    expect(teams.cards).toHaveLength(1);
    const card = teams.cards[0];
    expect(card?.version).toBe('1.4');
    expect(card?.body[0]).toMatchObject({ type: 'TextBlock', text: '[FIRING:2] 磁盘告警 (east)', weight: 'Bolder', color: 'Attention' });
    expect(card?.body.slice(1).map((b) => [b.text, b.spacing])).toEqual([['第一行', 'None'], ['第二行', 'None'], ['第三段', 'Medium']]);
    expect(result).toEqual({ answer: 'HTTP 202', messages: 1 });
  });

  it('splits long Chinese text into cards under 28 KB each, losing no line and keeping order', async () => {
    const text = chineseText(1500);
    const result = await new TeamsNotifier().send(ctx({ body: text }));
    expect(teams.cards.length).toBeGreaterThan(2);
    expect(result.messages).toBe(teams.cards.length);
    expect(teams.requests.every((r) => Buffer.byteLength(r.body) <= TEAMS_LIMIT_BYTES)).toBe(true);
    expect(teams.cards.flatMap((c) => linesOf(c)).join('\n')).toBe(text.trimEnd());
    expect(teams.cards.map((c) => c.body[0]?.text)).toEqual(teams.cards.map((_c, i) => `[FIRING:2] 磁盘告警 (east) (${i + 1}/${teams.cards.length})`));
  });

  it('cuts one unbroken line of Chinese and emoji between cards without splitting a character', () => {
    const text = chineseText(0, 40_000);
    const messages = teamsMessages({ title: 't', text, firing: true });
    const blocks = messages.map((m) => JSON.stringify(m)).map((j) => JSON.parse(j) as { attachments: { content: TeamsCard }[] });
    const pieces = blocks.map((b) => linesOf(b.attachments[0]?.content).join(''));
    expect(pieces.join('')).toBe(text);
    expect(pieces.every((p) => !/^[\uDC00-\uDFFF]/.test(p) && !/[\uD800-\uDBFF]$/.test(p))).toBe(true);
    expect(messages.every((m) => Buffer.byteLength(JSON.stringify(m)) <= 27 * 1024)).toBe(true);
  });

  it('shrinks the chunks when JSON escaping inflates the text', () => {
    const quotes = '"\\'.repeat(20_000);
    const messages = teamsMessages({ title: 't', text: quotes, firing: false });
    expect(messages.every((m) => Buffer.byteLength(JSON.stringify(m)) <= 27 * 1024)).toBe(true);
    expect(messages.map((m) => linesOf((m as { attachments: { content: TeamsCard }[] }).attachments[0]?.content).join('')).join('')).toBe(quotes);
  });

  it('fails terminally on a wrong signature, which never appears in the error', async () => {
    const wrong = teams.webhookUrl.replace(SIG, 'wrong-SIG-value');
    const err = await deliveryErrorOf(new TeamsNotifier().send(ctx({ webhook: wrong })));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/HTTP 401 .*DirectApiInvalidAuthorizationSignature/);
    expect(err.message).not.toContain('wrong-SIG-value');
  });

  it('keeps the signature out of an error that quotes the request line back', async () => {
    // A gateway's error page may quote the path and query, which is not the whole (redacted) URL.
    const quoting = await startHttpServer({ handler: (req) => ({ status: 400, body: `bad request: ${req.method} ${req.url}` }) });
    try {
      const err = await deliveryErrorOf(new TeamsNotifier().send(ctx({ webhook: `${quoting.origin}/workflows/a1b2c3/triggers/manual/paths/invoke?sv=1.0&sig=${SIG}` })));
      expect(err.message).toContain('bad request: POST /workflows/a1b2c3/triggers/manual/paths/invoke?sv=1.0&sig=<redacted>');
      expect(err.message).not.toContain(SIG);
    } finally {
      await quoting.close();
    }
  });

  it('fails terminally for an unknown workflow and a webhook that is not a URL', async () => {
    const gone = await deliveryErrorOf(new TeamsNotifier().send(ctx({ webhook: teams.webhookUrl.replace('a1b2c3', 'zzz') })));
    expect(gone.retryable).toBe(false);
    expect(gone.message).toMatch(/HTTP 404 .*WorkflowNotFound/);
    expect(gone.message).not.toContain(SIG);
    const bad = await deliveryErrorOf(new TeamsNotifier().send(ctx({ webhook: `nonsense ${SIG}` })));
    expect(bad.message).toBe('spec.teams.webhook is not a URL');
  });

  it('retries when throttled, after Retry-After, and on a 503', async () => {
    teams.mode = 'throttled';
    const err = await deliveryErrorOf(new TeamsNotifier().send(ctx()));
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 7000 });
    expect(err.message).toMatch(/WorkflowRequestsThrottled/);
    teams.mode = 'unavailable';
    const down = await deliveryErrorOf(new TeamsNotifier().send(ctx()));
    expect(down.retryable).toBe(true);
    expect(teams.cards).toHaveLength(0);
  });
});
