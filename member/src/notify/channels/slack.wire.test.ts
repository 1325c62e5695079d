import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlackNotifier } from './slack.js';
import { deliveryErrorOf, sendContext } from '../../../../test/wire/context.js';
import { progressOf } from '../progress.js';
import { startFakeSlack, type FakeSlack } from '../../../../test/wire/slack.js';

const TOKEN = 'xoxb-1111-2222-SeCrEtToKeN';

let slack: FakeSlack;

beforeEach(async () => {
  slack = await startFakeSlack({ token: TOKEN, channels: { '#alerts': 'C01ALERTS', ops: 'C02OPS', '#sre': 'C03SRE' } });
});
afterEach(async () => {
  await slack.close();
});

function ctx(channels: string[], opts: { token?: string; template?: string; apiUrl?: string } = {}) {
  return sendContext({
    channel: 'slack',
    spec: { channels, ...(opts.template ? { template: opts.template } : {}) },
    config: { slackTokenSecret: { value: opts.token ?? TOKEN }, apiUrl: opts.apiUrl ?? slack.apiUrl },
  });
}

describe('SlackNotifier', () => {
  it('posts the rendered text to every channel, in order, with the bearer token', async () => {
    const result = await new SlackNotifier().send(ctx(['#alerts', 'ops', '#sre']));
    expect(slack.posts).toEqual([
      { channel: '#alerts', text: 'markdown:default:2' },
      { channel: 'ops', text: 'markdown:default:2' },
      { channel: '#sre', text: 'markdown:default:2' },
    ]);
    expect(slack.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(result.messages).toBe(3);
    expect(result.answer).toMatch(/^ok: posted to #alerts ts=\d+\.\d+, ops ts=/);
  });

  it('renders the receiver template', async () => {
    await new SlackNotifier().send(ctx(['ops'], { template: 'my.slack' }));
    expect(slack.posts[0]?.text).toBe('markdown:my.slack:2');
  });

  it('fails terminally on invalid_auth, without the token in the message', async () => {
    const wrong = 'xoxb-wrong-TOKEN-value';
    const err = await deliveryErrorOf(new SlackNotifier().send(ctx(['#alerts', 'ops'], { token: wrong })));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/invalid_auth/);
    expect(err.message).not.toContain(wrong);
    // A token error stops at the first channel: the second is not tried.
    expect(slack.requests).toHaveLength(1);
    expect(err.message).toMatch(/not attempted: ops/);
  });

  it('is retryable with the Retry-After delay when rate limited', async () => {
    slack.mode = 'ratelimited';
    const err = await deliveryErrorOf(new SlackNotifier().send(ctx(['#alerts'])));
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBe(2000);
    // The SDK must not retry or queue on its own.
    expect(slack.requests).toHaveLength(1);
  });

  it('is retryable on HTTP 503', async () => {
    slack.mode = 'unavailable';
    const err = await deliveryErrorOf(new SlackNotifier().send(ctx(['#alerts'])));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/503/);
    expect(slack.requests).toHaveLength(1);
  });

  it('fails terminally with channel_not_found, still posting to the other channels', async () => {
    const err = await deliveryErrorOf(new SlackNotifier().send(ctx(['#alerts', '#nope', 'ops'])));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/#nope: channel_not_found/);
    expect(err.message).toMatch(/already posted to #alerts ts=[\d.]+, ops ts=/);
    expect(slack.posts.map((p) => p.channel)).toEqual(['#alerts', 'ops']);
  });

  it('is retryable when the API cannot be reached', async () => {
    const { apiUrl } = slack;
    await slack.close();
    const err = await deliveryErrorOf(new SlackNotifier().send(ctx(['#alerts'], { apiUrl })));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/ECONNREFUSED/);
    slack = await startFakeSlack({ token: TOKEN, channels: {} });
  });

  it('stops when the signal aborts', async () => {
    const c = { ...ctx(['#alerts']), signal: AbortSignal.abort(new Error('deadline passed')) };
    const err = await deliveryErrorOf(new SlackNotifier().send(c));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/aborted: deadline passed/);
    expect(slack.posts).toHaveLength(0);
  });

  it('resumes after a limit hit half-way: the retry posts only to the channels not yet posted to', async () => {
    const progress = progressOf({});
    slack.rateLimitAfter = 1;
    const err = await deliveryErrorOf(new SlackNotifier().send({ ...ctx(['#alerts', 'ops', '#sre']), progress }));
    expect(err.retryable).toBe(true);
    expect(slack.posts.map((p) => p.channel)).toEqual(['#alerts']);
    slack.rateLimitAfter = undefined;
    const result = await new SlackNotifier().send({ ...ctx(['#alerts', 'ops', '#sre']), progress });
    expect(slack.posts.map((p) => p.channel)).toEqual(['#alerts', 'ops', '#sre']);
    expect(result.answer).toMatch(/#alerts ts=\d+\.\d+ \(sent by an earlier attempt\)/);
  });
});
