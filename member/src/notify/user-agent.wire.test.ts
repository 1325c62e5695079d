import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackNotifier } from './channels/slack.js';
import { WebhookNotifier } from './channels/webhook.js';
import { closeDispatchers, postHttp } from './http.js';
import { OPEN_EGRESS } from './egress.js';
import { sendContext } from '../../../test/wire/context.js';
import { startHttpServer, type TestHttpServer } from '../../../test/wire/http-server.js';
import { startFakeSlack, type FakeSlack } from '../../../test/wire/slack.js';

let expected: string;
let sink: TestHttpServer;
let slack: FakeSlack;

beforeAll(async () => {
  const pkg = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  expected = `Herald/${pkg.version}`;
  sink = await startHttpServer({ handler: () => ({ status: 200, body: 'ok' }) });
  slack = await startFakeSlack({ token: 'xoxb-token', channels: { '#alerts': 'C01' } });
});
afterAll(async () => {
  await Promise.all([sink.close(), slack.close(), closeDispatchers()]);
});

describe('User-Agent of outgoing requests', () => {
  it('is Herald/<package.json version> on POSTs and GETs (token fetches) of the shared HTTP helper', async () => {
    sink.requests.length = 0;
    const common = { headers: {}, signal: AbortSignal.timeout(30_000), egress: OPEN_EGRESS, secrets: [] };
    expect((await postHttp({ ...common, url: `${sink.origin}/post`, body: '{}' })).status).toBe(200);
    expect((await postHttp({ ...common, url: `${sink.origin}/gettoken`, method: 'GET' })).status).toBe(200);
    expect(sink.requests.map((r) => [r.method, r.headers['user-agent']])).toEqual([
      ['POST', expected],
      ['GET', expected],
    ]);
  });

  it('is sent by a channel through the helper (webhook) and by the Slack SDK, which does not use it', async () => {
    sink.requests.length = 0;
    await new WebhookNotifier().send(sendContext({ channel: 'webhook', spec: { url: `${sink.origin}/hook` } }));
    await new SlackNotifier().send(
      sendContext({ channel: 'slack', spec: { channels: ['#alerts'] }, config: { slackTokenSecret: { value: 'xoxb-token' }, apiUrl: slack.apiUrl } }),
    );
    expect(sink.requests.map((r) => r.headers['user-agent'])).toEqual([expected]);
    expect(slack.requests.map((r) => r.headers['user-agent'])).toEqual([expected]);
  });

  it('is required by the wire fakes, so every channel wire test checks it', async () => {
    const res = await fetch(`${sink.origin}/hook`, { method: 'POST', headers: { 'user-agent': 'curl/8' }, body: '{}' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(`expected User-Agent ${expected}, got curl/8`);
  });
});
