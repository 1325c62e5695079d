/**
 * The outbound address policy on real connections: webhook (undici, direct and through a proxy),
 * email (nodemailer over our sockets) and Slack (the SDK's axios over node:http). A denied target
 * must never see a connection, whether named by an IP literal or by a name that resolves to a
 * denied address; with no policy, the same targets deliver.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Channel } from '@herald/shared';
import { OPEN_EGRESS, egressPolicyOf, inlinePolicy, parseCidr, type EgressPolicy } from './egress.js';
import { closeDispatchers } from './http.js';
import type { SendContext, Target } from './notifier.js';
import { EmailNotifier } from './channels/email.js';
import { SlackNotifier } from './channels/slack.js';
import { WebhookNotifier } from './channels/webhook.js';
import { deliveryErrorOf, sendContext } from '../../../test/wire/context.js';
import { json, startHttpServer, type TestHttpServer } from '../../../test/wire/http-server.js';
import { startProxy, type TestProxy } from '../../../test/wire/proxy.js';
import { startFakeSlack, type FakeSlack } from '../../../test/wire/slack.js';
import { startSmtpServer, type SmtpTestServer } from '../../../test/wire/smtp.js';

const LOOPBACK: EgressPolicy = { deny: [parseCidr('127.0.0.0/8')] };
const DENIED = /is denied by the outbound policy \(127\.0\.0\.0\/8\)$/;

let sink: TestHttpServer;
let proxy: TestProxy;
let smtp: SmtpTestServer;
let slack: FakeSlack;

beforeAll(async () => {
  sink = await startHttpServer({ handler: () => json(200, { ok: true }) });
  proxy = await startProxy({ route: () => ({ host: '127.0.0.1', port: sink.port }) });
  smtp = await startSmtpServer({ disabledCommands: ['STARTTLS'] });
  slack = await startFakeSlack({ token: 'xoxb-egress-test', channels: { '#alerts': 'C01' } });
});
afterAll(async () => {
  await Promise.all([sink.close(), proxy.close(), smtp.close(), slack.close()]);
  await closeDispatchers();
});
beforeEach(() => {
  sink.requests.length = 0;
  proxy.requests.length = 0;
});

function ctx<C extends Channel>(channel: C, spec: Target<C>['spec'], egress: EgressPolicy, config?: Target<C>['config']): SendContext<C> {
  return sendContext({ channel, spec, egress, ...(config ? { config } : {}) });
}

describe('webhook under the outbound policy', () => {
  const send = (url: string, egress: EgressPolicy, proxyUrl?: string) =>
    new WebhookNotifier().send(ctx('webhook', { url, ...(proxyUrl ? { httpConfig: { proxyUrl } } : {}) }, egress));

  it('never connects to a denied IP literal, and fails terminally saying why', async () => {
    const before = sink.connections();
    const err = await deliveryErrorOf(send(`http://127.0.0.1:${sink.port}/hook`, LOOPBACK));
    expect(err.retryable).toBe(false);
    expect(err.message).toBe(`POST http://127.0.0.1:${sink.port}/hook: address 127.0.0.1 is denied by the outbound policy (127.0.0.0/8)`);
    expect(sink.connections()).toBe(before);
    expect(sink.requests).toHaveLength(0);
  });

  it('checks the address a name resolves to, not the name', async () => {
    const before = sink.connections();
    const err = await deliveryErrorOf(send(`http://localhost:${sink.port}/hook`, LOOPBACK));
    expect(err.retryable).toBe(false);
    expect(err.message).toBe(`POST http://localhost:${sink.port}/hook: address 127.0.0.1 (of localhost) is denied by the outbound policy (127.0.0.0/8)`);
    expect(sink.connections()).toBe(before);
  });

  it('treats IPv4-mapped IPv6 literals as IPv4, and checks IPv6 literals', async () => {
    const mapped = await deliveryErrorOf(send(`http://[::ffff:127.0.0.1]:${sink.port}/hook`, LOOPBACK));
    expect(mapped).toMatchObject({ retryable: false, message: expect.stringMatching(/address ::ffff:7f00:1 is denied by the outbound policy \(127\.0\.0\.0\/8\)$/) as unknown });
    const v6 = await deliveryErrorOf(send(`http://[::1]:${sink.port}/hook`, inlinePolicy(OPEN_EGRESS)));
    expect(v6.message).toMatch(/address ::1 is denied by the outbound policy \(::1\/128\)$/);
    expect(sink.requests).toHaveLength(0);
  });

  it('delivers to the same targets without a policy', async () => {
    await send(`http://127.0.0.1:${sink.port}/a`, OPEN_EGRESS);
    await send(`http://localhost:${sink.port}/b`, OPEN_EGRESS);
    expect(sink.requests.map((r) => r.url)).toEqual(['/a', '/b']);
  });

  it('does not reuse a connection opened under another policy', async () => {
    await send(`http://localhost:${sink.port}/open`, OPEN_EGRESS);
    const err = await deliveryErrorOf(send(`http://localhost:${sink.port}/closed`, LOOPBACK));
    expect(err.message).toMatch(DENIED);
    expect(sink.requests.map((r) => r.url)).toEqual(['/open']);
  });

  it('refuses retryably while the Settings list is unreadable', async () => {
    const err = await deliveryErrorOf(send(`http://127.0.0.1:${sink.port}/hook`, egressPolicyOf(['10.0.0.0/99'])));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/denied by the outbound policy \(every address: spec\.egress\.deny\[0\]: "10\.0\.0\.0\/99"/);
    expect(sink.requests).toHaveLength(0);
  });
});

describe('webhook through a proxy under the outbound policy', () => {
  const send = (url: string, egress: EgressPolicy, proxyUrl: string) =>
    new WebhookNotifier().send(ctx('webhook', { url, httpConfig: { proxyUrl } }, egress));

  it('checks the proxy, which is what the agent connects to', async () => {
    const before = proxy.connections();
    const literal = await deliveryErrorOf(send('http://hook.monitoring.svc:8080/alerts', LOOPBACK, proxy.url));
    expect(literal.retryable).toBe(false);
    expect(literal.message).toBe(
      `POST http://hook.monitoring.svc:8080/alerts via proxy ${proxy.url}/: address 127.0.0.1 is denied by the outbound policy (127.0.0.0/8)`,
    );
    const named = await deliveryErrorOf(send('http://hook.monitoring.svc:8080/alerts', LOOPBACK, `http://localhost:${new URL(proxy.url).port}`));
    expect(named.message).toMatch(/address 127\.0\.0\.1 \(of localhost\) is denied by the outbound policy \(127\.0\.0\.0\/8\)$/);
    expect(proxy.connections()).toBe(before);
    expect(sink.requests).toHaveLength(0);
  });

  it('leaves the target to the proxy: a denied target address is reached through an allowed proxy', async () => {
    await send('http://10.1.2.3/alerts', { deny: [parseCidr('10.0.0.0/8')] }, proxy.url);
    expect(proxy.requests.map((r) => r.url)).toEqual(['http://10.1.2.3/alerts']);
    expect(sink.requests).toHaveLength(1);
  });

  it('delivers through the proxy without a policy', async () => {
    await send('http://hook.monitoring.svc:8080/alerts', OPEN_EGRESS, proxy.url);
    expect(sink.requests.map((r) => r.url)).toEqual(['/alerts']);
  });
});

describe('email under the outbound policy', () => {
  const config = (host: string) => ({ from: 'herald@example.com', smartHost: { host, port: smtp.port } });
  const send = (host: string, egress: EgressPolicy) => new EmailNotifier().send(ctx('email', { to: ['ops@example.com'] }, egress, config(host)));

  it('opens no connection to a denied SMTP server, by address or by name', async () => {
    const before = smtp.connections();
    const literal = await deliveryErrorOf(send('127.0.0.1', LOOPBACK));
    expect(literal).toMatchObject({ retryable: false, message: `SMTP 127.0.0.1:${smtp.port}: address 127.0.0.1 is denied by the outbound policy (127.0.0.0/8)` });
    const named = await deliveryErrorOf(send('localhost', LOOPBACK));
    expect(named).toMatchObject({ retryable: false, message: `SMTP localhost:${smtp.port}: address 127.0.0.1 (of localhost) is denied by the outbound policy (127.0.0.0/8)` });
    // 127.1 is no IP literal to Node; the resolver makes it 127.0.0.1, which is what is checked.
    const short = await deliveryErrorOf(send('127.1', LOOPBACK));
    expect(short.message).toMatch(DENIED);
    expect(smtp.connections()).toBe(before);
    expect(smtp.commands).toEqual([]);
  });

  it('delivers to the same server without a policy', async () => {
    await send('127.0.0.1', OPEN_EGRESS);
    await send('localhost', OPEN_EGRESS);
    expect(smtp.mails).toHaveLength(2);
  });
});

describe('slack under the outbound policy', () => {
  const apiUrl = (host: string): string => slack.apiUrl.replace('127.0.0.1', host);
  const send = (host: string, egress: EgressPolicy) =>
    new SlackNotifier().send(ctx('slack', { channels: ['#alerts', 'ops'] }, egress, { slackTokenSecret: { value: 'xoxb-egress-test' }, apiUrl: apiUrl(host) }));

  it('never reaches a denied API address, by address or by name, and stops at the first channel', async () => {
    const before = slack.connections();
    const literal = await deliveryErrorOf(send('127.0.0.1', LOOPBACK));
    expect(literal.retryable).toBe(false);
    expect(literal.message).toBe('slack chat.postMessage failed: #alerts: address 127.0.0.1 is denied by the outbound policy (127.0.0.0/8); not attempted: ops');
    const named = await deliveryErrorOf(send('localhost', LOOPBACK));
    expect(named.message).toBe('slack chat.postMessage failed: #alerts: address 127.0.0.1 (of localhost) is denied by the outbound policy (127.0.0.0/8); not attempted: ops');
    expect(slack.connections()).toBe(before);
    expect(slack.requests).toHaveLength(0);
  });

  it('posts to the same API without a policy', async () => {
    const base = slack.posts.length;
    await new SlackNotifier().send(ctx('slack', { channels: ['#alerts'] }, OPEN_EGRESS, { slackTokenSecret: { value: 'xoxb-egress-test' }, apiUrl: apiUrl('localhost') }));
    await new SlackNotifier().send(ctx('slack', { channels: ['#alerts'] }, { deny: [parseCidr('10.0.0.0/8')] }, { slackTokenSecret: { value: 'xoxb-egress-test' }, apiUrl: apiUrl('localhost') }));
    expect(slack.posts.length - base).toBe(2);
  });
});
