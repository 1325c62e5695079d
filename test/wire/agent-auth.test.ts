/**
 * The agent cannot be turned against its cluster (findings F1 and F2 of the security review),
 * tried on the real agent process: spellings of a path that once got past the token check,
 * roles kept apart, anonymous ingest only by an explicit flag, and inline verify that can
 * neither read a Secret nor use the cluster's Configs as a relay.
 */
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentExit, configDir, startAgent, type AgentProcess } from './agent-process.js';
import { startHttpServer, type TestHttpServer } from './http-server.js';
import { startSmtpServer, type SmtpTestServer } from './smtp.js';

const API = 'herald.dev/v1alpha1';
const DB_PASSWORD = 'SUPERSECRET-DB-PASSWORD-123';
const SMTP_PASSWORD = 'SMTP-PASS-Secr3t!';

/** Sends exactly these bytes and returns the status line of the answer (no client normalises the path). */
function raw(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    let answer = '';
    socket.on('data', (c: Buffer) => (answer += c.toString()));
    socket.on('end', () => resolve(answer.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
    socket.setTimeout(20_000, () => socket.destroy(new Error('no answer')));
  });
}

const body = (json: unknown): string => JSON.stringify(json);
const request = (line: string, json: unknown, headers: string[] = []): string => {
  const text = body(json);
  return [line, 'Host: localhost', 'Content-Type: application/json', `Content-Length: ${Buffer.byteLength(text)}`, 'Connection: close', ...headers, '', text].join('\r\n');
};
const firing = { version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'Spoofed', namespace: 'team-b' }, startsAt: '2026-11-21T12:00:00Z' }] };

let sink: TestHttpServer;
let smtp: SmtpTestServer;
let agent: AgentProcess;

beforeAll(async () => {
  sink = await startHttpServer({ handler: () => ({ status: 200, body: 'ok' }) });
  smtp = await startSmtpServer({ users: { alice: SMTP_PASSWORD }, disabledCommands: ['STARTTLS'] });
  const dir = configDir([
    { apiVersion: API, kind: 'Settings', metadata: { name: 'default' }, spec: { batchMaxWait: '0s', cluster: { name: 'member-a' } } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-creds', namespace: 'herald-system' }, data: { password: Buffer.from(DB_PASSWORD).toString('base64') } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'smtp', namespace: 'herald-system' }, data: { password: Buffer.from(SMTP_PASSWORD).toString('base64') } },
    {
      apiVersion: API,
      kind: 'Config',
      metadata: { name: 'org-smtp', labels: { type: 'default' } },
      spec: {
        email: {
          from: 'alerts@org.example',
          smartHost: { host: '127.0.0.1', port: smtp.port },
          authUsername: 'alice',
          authPassword: { valueFrom: { secretKeyRef: { name: 'smtp', key: 'password' } } },
          allowInsecureAuth: true,
        },
      },
    },
    { apiVersion: API, kind: 'Receiver', metadata: { name: 'hook', labels: { type: 'global' } }, spec: { webhook: { url: `${sink.origin}/hook` } } },
    { apiVersion: API, kind: 'Receiver', metadata: { name: 'org-mail', labels: { type: 'tenant', namespace: 'nobody' } }, spec: { email: { to: ['oncall@org.example'] } } },
  ]);
  agent = await startAgent({ configDir: dir });
});

afterAll(async () => {
  await agent?.stop();
  await sink?.close();
  await smtp?.close();
});

describe('authentication by the route the router matched (F1)', () => {
  it.each([
    ['a percent-escaped verify', request('POST /%61pi/v2/verify HTTP/1.1', { receiver: 'hook' })],
    ['a percent-escaped history', ['GET /%61pi/v2/history HTTP/1.1', 'Host: localhost', 'Connection: close', '', ''].join('\r\n')],
    ['an absolute-form alerts', request('POST http://localhost/api/v2/alerts HTTP/1.1', firing)],
    ['a percent-escaped alerts', request('POST /%61pi/v2/alerts HTTP/1.1', firing)],
    ['a doubled slash', request('POST //api/v2/alerts HTTP/1.1', firing)],
  ])('%s without a token is refused', async (_name, text) => {
    expect(await raw(agent.url, text)).toMatch(/^HTTP\/1\.1 (401|404) /);
  });

  it('the same spellings with the right token reach their route (so the refusals above were the guard)', async () => {
    expect(await raw(agent.url, request('POST /%61pi/v2/alerts HTTP/1.1', firing, [`Authorization: Bearer ${agent.tokens.ingest}`]))).toBe('HTTP/1.1 200 OK');
    expect(await raw(agent.url, request('POST http://localhost/api/v2/alerts HTTP/1.1', firing, [`Authorization: Bearer ${agent.tokens.ingest}`]))).toBe('HTTP/1.1 200 OK');
    expect(await raw(agent.url, ['GET /%61pi/v2/history HTTP/1.1', 'Host: localhost', `Authorization: Bearer ${agent.tokens.admin}`, 'Connection: close', '', ''].join('\r\n'))).toBe('HTTP/1.1 200 OK');
  });

  it('keeps ingest and admin apart: neither token opens the other role', async () => {
    const verify = await fetch(`${agent.url}/api/v2/verify`, { method: 'POST', headers: agent.headers('ingest'), body: body({ receiver: 'hook' }) });
    expect(verify.status).toBe(403);
    expect(await verify.json()).toMatchObject({ error: 'forbidden', message: 'this token grants ingest, not admin' });
    const alerts = await fetch(`${agent.url}/api/v2/alerts`, { method: 'POST', headers: agent.headers('admin'), body: body(firing) });
    expect(alerts.status).toBe(403);
    const history = await fetch(`${agent.url}/api/v2/history`, { headers: { authorization: `Bearer ${agent.tokens.ingest}` } });
    expect(history.status).toBe(403);
    expect((await fetch(`${agent.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${agent.url}/readyz`)).status).toBe(200);
  });

  it('delivered nothing for any refused request', async () => {
    // Only the two authenticated alert posts above were accepted (Spoofed, twice: one notification each).
    const deadline = Date.now() + 15_000;
    while (sink.requests.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(sink.requests.every((r) => r.url === '/hook')).toBe(true);
    expect(sink.requests.flatMap((r) => (JSON.parse(r.body) as { alerts: unknown[] }).alerts).length).toBeLessThanOrEqual(2);
  });
});

describe('inline verify never reaches a Secret or a Config of the cluster (F2)', () => {
  it('refuses an inline receiver that names a Secret, and the target hears nothing', async () => {
    const exfil = {
      receiver: { spec: { webhook: { url: `${sink.origin}/exfil`, httpConfig: { bearerToken: { valueFrom: { secretKeyRef: { name: 'db-creds', key: 'password' } } } } } } },
    };
    const res = await fetch(`${agent.url}/api/v2/verify`, { method: 'POST', headers: agent.headers('admin'), body: body(exfil) });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain('receiver.spec.webhook.httpConfig.bearerToken.valueFrom: an inline receiver or config takes only inline values');
    expect(text).not.toContain(DB_PASSWORD);
    const basic = { ...exfil, receiver: { spec: { webhook: { url: `${sink.origin}/exfil`, httpConfig: { basicAuth: { username: 'x', password: { valueFrom: { secretKeyRef: { name: 'db-creds', key: 'password' } } } } } } } }, alert: firing };
    expect((await fetch(`${agent.url}/api/v2/notifications`, { method: 'POST', headers: agent.headers('admin'), body: body(basic) })).status).toBe(400);
    expect(sink.requests.filter((r) => r.url === '/exfil')).toEqual([]);
  });

  it.each(['127.0.0.1', 'localhost', '[::ffff:127.0.0.1]'])('never connects an inline receiver to loopback (%s), which a configured receiver may reach', async (host) => {
    const url = `http://${host}:${sink.port}/inline-loopback`;
    const res = await fetch(`${agent.url}/api/v2/verify`, { method: 'POST', headers: agent.headers('admin'), body: body({ receiver: { spec: { webhook: { url } } } }) });
    expect(res.status).toBe(502);
    const answer = (await res.json()) as { results: { ok: boolean; error: string }[] };
    expect(answer.results[0]?.error).toContain('is denied by the outbound policy');
    expect(sink.requests.filter((r) => r.url === '/inline-loopback')).toEqual([]);
    // The configured receiver on the same loopback sink delivers (private and local addresses are fine for it).
    expect((await fetch(`${agent.url}/api/v2/verify`, { method: 'POST', headers: agent.headers('admin'), body: body({ receiver: 'hook' }) })).status).toBe(200);
  });

  it('never lets an inline receiver go through a proxy, or connect back into the agent’s own addresses', async () => {
    const viaProxy = { receiver: { spec: { webhook: { url: 'http://127.0.0.1:19093/metrics', httpConfig: { proxyUrl: `${sink.origin}/` } } } } };
    const res = await fetch(`${agent.url}/api/v2/verify`, { method: 'POST', headers: agent.headers('admin'), body: body(viaProxy) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain('receiver.spec.webhook.httpConfig.proxyUrl: an inline receiver connects directly, never through a proxy');
    const own = Object.values(networkInterfaces()).flatMap((l) => l ?? []).find((i) => i.family === 'IPv4' && !i.internal)?.address;
    if (!own) return;
    const back = await fetch(`${agent.url}/api/v2/verify`, { method: 'POST', headers: agent.headers('admin'), body: body({ receiver: { spec: { webhook: { url: `http://${own}:${new URL(agent.url).port}/metrics` } } } }) });
    expect(((await back.json()) as { results: { error: string }[] }).results[0]?.error).toContain('is denied by the outbound policy');
  });

  it('is no relay: an inline email receiver does not use the cluster’s SMTP Config and its password', async () => {
    // The cluster's Config works: its own receiver, verified by name, gets mail through it.
    const named = await fetch(`${agent.url}/api/v2/verify`, { method: 'POST', headers: agent.headers('admin'), body: body({ receiver: 'org-mail' }) });
    expect(named.status).toBe(200);
    expect(smtp.mails.map((m) => m.to)).toEqual([['oncall@org.example']]);
    smtp.mails.length = 0;
    smtp.auths.length = 0;
    const relay = { receiver: { spec: { email: { to: ['victim@anywhere.example'] } } }, alert: firing };
    const res = await fetch(`${agent.url}/api/v2/notifications`, { method: 'POST', headers: agent.headers('admin'), body: body(relay) });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ ok: false, results: [{ channel: 'email', ok: false }] });
    expect(smtp.mails).toEqual([]);
    expect(smtp.auths).toEqual([]);
  });

  it('sends alerts of the caller’s choosing to no named receiver: that one gets only the test message', async () => {
    const res = await fetch(`${agent.url}/api/v2/notifications`, { method: 'POST', headers: agent.headers('admin'), body: body({ receiver: 'hook', alert: firing }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain('a named receiver gets only the test message');
    const before = sink.requests.length;
    const verify = await fetch(`${agent.url}/api/v2/verify`, { method: 'POST', headers: agent.headers('admin'), body: body({ receiver: 'hook' }) });
    expect(verify.status).toBe(200);
    const sent = sink.requests.slice(before).map((r) => (JSON.parse(r.body) as { alerts: { labels: Record<string, string> }[] }).alerts[0]?.labels['alertname']);
    expect(sent).toEqual(['verify']);
  });
});

describe('who may start an agent without tokens', () => {
  it('refuses to start with nothing to authenticate alerts, saying what to give', async () => {
    const { code, output } = await agentExit({ configDir: configDir([]), tokens: false });
    expect(code).toBe(2);
    expect(output).toContain('nothing can authenticate alerts: give --ingest-token-file FILE');
  });

  it('with --allow-anonymous-ingest takes alerts from anyone, says so at start, and still guards admin', async () => {
    const open = await startAgent({ configDir: configDir([]), tokens: false, args: ['--allow-anonymous-ingest'] });
    try {
      expect(open.output()).toContain('--allow-anonymous-ingest: anyone who can reach this port can post alerts');
      expect((await fetch(`${open.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(firing) })).status).toBe(200);
      expect((await fetch(`${open.url}/api/v2/history`)).status).toBe(401);
    } finally {
      await open.stop();
    }
  });

  it('with --protect-metrics, /metrics needs the admin token', async () => {
    const guarded = await startAgent({ configDir: configDir([]), args: ['--protect-metrics'] });
    try {
      expect((await fetch(`${guarded.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer ${guarded.tokens.ingest}` } })).status).toBe(403);
      const ok = await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer ${guarded.tokens.admin}` } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('herald_requests_rejected_total{reason="unauthorized"}');
    } finally {
      await guarded.stop();
    }
  });
});
