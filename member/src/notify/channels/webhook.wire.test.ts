import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Credential, SecretLookup } from '@herald/shared';
import { resolveCredential } from '@herald/shared/credential';
import { buildSnapshot } from '../../config/snapshot.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import { Outbox } from '../../store/outbox.js';
import { openDb } from '../../store/schema.js';
import { DeliveryError, type Target } from '../notifier.js';
import { WebhookNotifier, secretPartsOfUrl, webhookUrlOf } from './webhook.js';
import { receiver } from '../../../../test/support/objects.js';
import { makeTestPki, type TestPki } from '../../../../test/wire/certs.js';
import { deliveryErrorOf, sampleData, sendContext } from '../../../../test/wire/context.js';
import { json, startHttpServer, type RecordedRequest, type Reply, type TestHttpServer } from '../../../../test/wire/http-server.js';
import { startProxy, type TestProxy } from '../../../../test/wire/proxy.js';

const TOKEN = 'bearer-T0KEN-do-not-leak';
const PASSWORD = 'basic-Pa55word-do-not-leak';
const QUERY_SECRET = 'qs-access-token-do-not-leak';

type WebhookSpec = Target<'webhook'>['spec'];

let pki: TestPki;
/** The mTLS server: requires a client certificate from the test CA, then checks Authorization. */
let secure: TestHttpServer;
/** A plain-http server reached through the proxy. */
let plain: TestHttpServer;
let proxy: TestProxy;
/** What the next request to either server gets, after the auth check passes. */
let next: Reply;

const expectedAuth = new Set([`Bearer ${TOKEN}`, `Basic ${Buffer.from(`hook:${PASSWORD}`).toString('base64')}`]);
const handler = (req: RecordedRequest): Reply =>
  expectedAuth.has(req.headers.authorization ?? '') ? next : json(401, { error: 'unauthorized' });

beforeAll(async () => {
  pki = makeTestPki();
  secure = await startHttpServer({
    handler,
    tls: { key: pki.server.key, cert: pki.server.cert, ca: pki.ca, requestCert: true, rejectUnauthorized: true },
  });
  plain = await startHttpServer({ handler });
  // In-cluster names (*.svc) and everything else go to the plain server, except CONNECT to the secure one.
  proxy = await startProxy({
    route: ({ port }) => ({ host: '127.0.0.1', port: port === secure.port ? secure.port : plain.port }),
  });
});
afterAll(async () => {
  await Promise.all([secure.close(), plain.close(), proxy.close()]);
});
beforeEach(() => {
  next = json(200, { status: 'received' });
  secure.requests.length = 0;
  plain.requests.length = 0;
  proxy.requests.length = 0;
  proxy.tunnels.length = 0;
});

const mtls = (): NonNullable<WebhookSpec['httpConfig']> => ({
  bearerToken: { value: TOKEN },
  tlsConfig: { rootCA: { value: pki.ca }, clientCertificate: { cert: { value: pki.client.cert }, key: { value: pki.client.key } } },
});

function ctx(spec: WebhookSpec, options: Record<string, unknown> = {}) {
  return sendContext({ channel: 'webhook', spec, options });
}

const send = (spec: WebhookSpec, options?: Record<string, unknown>) => new WebhookNotifier().send(ctx(spec, options));

/** Every message and answer must be free of the test's credentials and query secret. */
function expectNoSecrets(text: string): void {
  for (const secret of [TOKEN, PASSWORD, QUERY_SECRET, pki.client.key]) expect(text).not.toContain(secret);
}

describe('WebhookNotifier over mutual TLS', () => {
  it('posts the Alertmanager v4 payload with cluster and fingerprints by default', async () => {
    const result = await send({ url: `${secure.origin}/hook`, httpConfig: mtls() });
    expect(result).toEqual({ answer: 'HTTP 200 {"status":"received"}', messages: 1 });
    const [req] = secure.requests;
    expect(req?.clientCN).toBe('herald-client');
    expect(req?.url).toBe('/hook');
    expect(req?.headers['content-type']).toBe('application/json');
    const data = sampleData();
    const body = JSON.parse(req?.body ?? '') as Record<string, unknown>;
    expect(body).toMatchObject({
      version: '4',
      groupKey: 'ops:{"alertname":"KubePodCrashLooping","namespace":"prod"}',
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'ops',
      groupLabels: data.groupLabels,
      commonLabels: data.commonLabels,
      commonAnnotations: data.commonAnnotations,
      externalURL: 'http://alertmanager.local',
      cluster: 'east',
    });
    expect(body['alerts']).toEqual(
      data.alerts.map((a) => ({
        status: a.status,
        labels: a.labels,
        annotations: a.annotations,
        startsAt: a.startsAt,
        endsAt: a.endsAt,
        generatorURL: a.generatorURL,
        fingerprint: a.fingerprint,
      })),
    );
  });

  it('treats the NM sentinel templates as the default payload', async () => {
    await send({ url: `${secure.origin}/hook`, httpConfig: mtls(), template: 'webhook.default.message' });
    await send({ url: `${secure.origin}/hook`, httpConfig: mtls() }, { template: 'nm.default.history' });
    for (const req of secure.requests) expect(JSON.parse(req.body)).toMatchObject({ version: '4', cluster: 'east' });
  });

  it('sends a custom template as the body', async () => {
    await send({ url: `${secure.origin}/hook`, httpConfig: mtls(), template: 'my.hook' });
    expect(secure.requests[0]?.body).toBe('text:my.hook:2');
    expect(secure.requests[0]?.headers['content-type']).toMatch(/^text\/plain/);
  });

  it('sends a custom template that renders JSON as application/json', async () => {
    const c = ctx({ url: `${secure.origin}/hook`, httpConfig: mtls(), template: 'my.json' });
    const body = '{"text":"2 alerts"}';
    await new WebhookNotifier().send({ ...c, templates: { render: () => body } });
    expect(secure.requests[0]?.body).toBe(body);
    expect(secure.requests[0]?.headers['content-type']).toBe('application/json');
  });

  it('fails retryably without a client certificate', async () => {
    const { bearerToken, tlsConfig } = mtls();
    const spec = { url: `${secure.origin}/hook`, httpConfig: { bearerToken, tlsConfig: { rootCA: tlsConfig?.rootCA } } };
    const err = await deliveryErrorOf(send(spec));
    // The handshake (or the first read, in TLS 1.3) fails: a network error, retried like any other.
    expect(err.retryable).toBe(true);
    expectNoSecrets(err.message);
    expect(secure.requests).toHaveLength(0);
  });

  it('fails retryably with a client certificate from another CA', async () => {
    const stranger = { cert: { value: pki.strangerClient.cert }, key: { value: pki.strangerClient.key } };
    const spec = { url: `${secure.origin}/hook`, httpConfig: { ...mtls(), tlsConfig: { rootCA: { value: pki.ca }, clientCertificate: stranger } } };
    const err = await deliveryErrorOf(send(spec));
    expect(err.retryable).toBe(true);
    expect(secure.requests).toHaveLength(0);
  });

  it('fails retryably when the server certificate is not trusted, unless insecureSkipVerify', async () => {
    const client = mtls().tlsConfig?.clientCertificate;
    const untrusted = { url: `${secure.origin}/hook`, httpConfig: { bearerToken: { value: TOKEN }, tlsConfig: { clientCertificate: client } } };
    const err = await deliveryErrorOf(send(untrusted));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/certificate/i);
    const skip = { ...untrusted, httpConfig: { ...untrusted.httpConfig, tlsConfig: { clientCertificate: client, insecureSkipVerify: true } } };
    await expect(send(skip)).resolves.toMatchObject({ messages: 1 });
  });

  it('verifies the server as serverName', async () => {
    const spec = { url: `https://127.0.0.1:${secure.port}/hook`, httpConfig: { ...mtls(), tlsConfig: { ...mtls().tlsConfig, serverName: 'localhost' } } };
    await expect(send(spec)).resolves.toMatchObject({ messages: 1 });
    const wrong = { ...spec, httpConfig: { ...spec.httpConfig, tlsConfig: { ...spec.httpConfig.tlsConfig, serverName: 'other.example' } } };
    const err = await deliveryErrorOf(send(wrong));
    expect(err.message).toMatch(/other\.example|altnames|Hostname/i);
  });

  it('sends basic auth', async () => {
    const { tlsConfig } = mtls();
    await send({ url: `${secure.origin}/hook`, httpConfig: { basicAuth: { username: 'hook', password: { value: PASSWORD } }, tlsConfig } });
    expect(secure.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from(`hook:${PASSWORD}`).toString('base64')}`);
  });
});

describe('WebhookNotifier reply classification', () => {
  const spec = (): WebhookSpec => ({ url: `${secure.origin}/hook?access_token=${QUERY_SECRET}`, httpConfig: mtls() });

  it('retries a 500, without secrets or the query string in the message', async () => {
    next = { status: 500, body: `boom: token ${TOKEN} in ${secure.origin}/hook?access_token=${QUERY_SECRET}` };
    const err = await deliveryErrorOf(send(spec()));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/HTTP 500 boom/);
    expect(err.message).toContain('access_token=<redacted>');
    expectNoSecrets(err.message);
  });

  it('gives up on a 400', async () => {
    next = json(400, { error: 'bad payload' });
    const err = await deliveryErrorOf(send(spec()));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/HTTP 400 \{"error":"bad payload"\}/);
    expectNoSecrets(err.message);
  });

  it('fails terminally on 401 when the bearer token is wrong', async () => {
    const wrong = { ...spec(), httpConfig: { ...mtls(), bearerToken: { value: 'wrong-token-xyz' } } };
    const err = await deliveryErrorOf(send(wrong));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/HTTP 401/);
  });

  it('retries a 429 after Retry-After', async () => {
    next = { status: 429, headers: { 'retry-after': '7' }, body: 'slow down' };
    const err = await deliveryErrorOf(send(spec()));
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 7000 });
  });

  it('retries a 503 after Retry-After', async () => {
    next = { status: 503, headers: { 'retry-after': '3' } };
    const err = await deliveryErrorOf(send(spec()));
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 3000 });
  });

  it('keeps the answer to the first 200 characters of the body', async () => {
    next = { status: 202, body: 'x'.repeat(10_000) };
    const result = await send(spec());
    expect(result.answer).toBe(`HTTP 202 ${'x'.repeat(200)}`);
  });

  it('stops when the signal aborts', async () => {
    const c = { ...ctx(spec()), signal: AbortSignal.abort(new Error('deadline passed')) };
    const err = await deliveryErrorOf(new WebhookNotifier().send(c));
    expect(err).toMatchObject({ retryable: true, message: expect.stringMatching(/aborted: deadline passed/) as unknown });
  });
});

describe('WebhookNotifier through a proxy', () => {
  it('forwards plain-http requests to a Service URL through proxyUrl', async () => {
    const service = { namespace: 'monitoring', name: 'hook', port: 8080, path: '/alerts' };
    const spec: WebhookSpec = { service, httpConfig: { bearerToken: { value: TOKEN }, proxyUrl: proxy.url } };
    await send(spec);
    expect(proxy.requests.map((r) => r.url)).toEqual(['http://hook.monitoring.svc:8080/alerts']);
    expect(plain.requests[0]?.url).toBe('/alerts');
    expect(plain.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('tunnels https through CONNECT and still presents the client certificate', async () => {
    await send({ url: `${secure.origin}/hook`, httpConfig: { ...mtls(), proxyUrl: proxy.url } });
    expect(proxy.tunnels).toEqual([`127.0.0.1:${secure.port}`]);
    expect(secure.requests[0]?.clientCN).toBe('herald-client');
  });

  it('keeps proxy credentials out of errors', async () => {
    const proxyUrl = `http://user:${PASSWORD}@127.0.0.1:1/`;
    const err = await deliveryErrorOf(send({ url: `${plain.origin}/hook`, httpConfig: { proxyUrl } }));
    expect(err.retryable).toBe(true);
    expectNoSecrets(err.message);
  });
});

describe('WebhookNotifier with the URL from a Secret (urlFrom)', () => {
  const HOOK_TOKEN = 'hk-T0KEN-in-the-path-do-not-leak';
  const SIG = 'sig-in-the-query-do-not-leak';
  const secretUrl = (): string => `${plain.origin}/hooks/${HOOK_TOKEN}?sig=${SIG}`;
  const b64 = (text: string): string => Buffer.from(text).toString('base64');
  /** Secrets as the informer holds them; the URL has the trailing newline `echo` leaves. */
  let secrets: Record<string, Record<string, string>>;
  const lookup: SecretLookup = (namespace, name) => {
    const data = secrets[`${namespace}/${name}`];
    return data ? { data } : undefined;
  };
  beforeEach(() => {
    secrets = { 'herald-system/hook': { url: b64(`${secretUrl()}\n`) } };
  });
  /** Resolves credentials the way the deliverer does (sendOnce). */
  const resolve = (credential: Credential | undefined, field: string): string => {
    const r = resolveCredential(credential, lookup, { field });
    if (r.ok) return r.value;
    throw new DeliveryError(`${r.field}: ${r.reason}`, { retryable: true, why: { kind: 'config' } });
  };
  const urlFrom = (name = 'hook', key = 'url'): WebhookSpec => ({ urlFrom: { secretKeyRef: { name, key } }, httpConfig: { bearerToken: { value: TOKEN } } });
  const sendFrom = (spec: WebhookSpec) => new WebhookNotifier().send({ ...ctx(spec), secret: resolve });
  const expectNoUrlSecret = (text: string): void => {
    for (const secret of [HOOK_TOKEN, SIG, TOKEN]) expect(text).not.toContain(secret);
  };

  it('posts to the URL the Secret holds', async () => {
    const result = await sendFrom(urlFrom());
    expect(plain.requests.map((r) => r.url)).toEqual([`/hooks/${HOOK_TOKEN}?sig=${SIG}`]);
    expect(plain.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(result.answer).toBe('HTTP 200 {"status":"received"}');
  });

  it('keeps every part of the URL out of the error when the sink fails and quotes it back', async () => {
    next = { status: 500, body: `no hook at ${secretUrl()} (path /hooks/${HOOK_TOKEN}, token ${HOOK_TOKEN}, sig=${SIG})` };
    const err = await deliveryErrorOf(sendFrom(urlFrom()));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/^webhook POST <the URL in spec\.webhook\.urlFrom>: HTTP 500 no hook at /);
    expectNoUrlSecret(err.message);
  });

  it('keeps the URL out of a network error', async () => {
    const closed = await startHttpServer({ handler: () => json(200, {}) });
    await closed.close();
    secrets['herald-system/hook'] = { url: b64(`${closed.origin}/hooks/${HOOK_TOKEN}?sig=${SIG}`) };
    const err = await deliveryErrorOf(sendFrom(urlFrom()));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/^POST <the URL in spec\.webhook\.urlFrom>: .*ECONNREFUSED/);
    expectNoUrlSecret(err.message);
  });

  it('names the field and the Secret when the Secret is missing, retryably', async () => {
    const err = await deliveryErrorOf(sendFrom(urlFrom('nope')));
    expect(err).toMatchObject({ retryable: true, message: 'spec.webhook.urlFrom.secretKeyRef: Secret herald-system/nope not found' });
    expect(plain.requests).toHaveLength(0);
  });

  it('refuses a value that is not an http(s) URL, without showing it', async () => {
    for (const value of [`ftp://files.example/${HOOK_TOKEN}`, HOOK_TOKEN]) {
      secrets['herald-system/hook'] = { url: b64(value) };
      const err = await deliveryErrorOf(sendFrom(urlFrom()));
      expect(err).toMatchObject({ retryable: true, message: "spec.webhook.urlFrom: the Secret's value is not an http(s) URL" });
    }
    expect(plain.requests).toHaveLength(0);
  });

  it('through the pipeline: delivered, and on failure no part of the URL in history', async () => {
    const outbox = new Outbox(openDb({ path: ':memory:' }));
    const snapshot = buildSnapshot({
      settings: { apiVersion: 'herald.dev/v1alpha1', kind: 'Settings', metadata: { name: 'default' }, spec: { batchMaxWait: '0s', delivery: { maxAttempts: 1 } } },
      receivers: [receiver('hook', { type: 'global' }, { webhook: urlFrom() })],
      secrets: lookup,
    });
    const pipeline = new Pipeline({ outbox, snapshot: () => snapshot, notifiers: { webhook: new WebhookNotifier() }, renderer: () => ({ render: () => '' }) });
    pipeline.start();
    try {
      const post = (alertname: string): void => {
        const body = JSON.stringify({ version: '4', status: 'firing', alerts: [{ labels: { alertname }, startsAt: '2026-01-01T00:00:00Z' }] });
        outbox.accept('alertmanager', body, 1, Date.now());
        pipeline.accepted();
      };
      post('Delivered');
      await expect.poll(() => outbox.history({ limit: 10 }).length, { timeout: 20_000 }).toBe(1);
      next = { status: 400, body: `bad hook ${secretUrl()} ${HOOK_TOKEN}` };
      post('Refused');
      await expect.poll(() => outbox.history({ limit: 10 }).length, { timeout: 20_000 }).toBe(2);
      const history = outbox.history({ limit: 10 });
      expect(history.map((h) => h.outcome).sort()).toEqual(['delivered', 'failed']);
      expect(plain.requests.map((r) => r.url)).toEqual([`/hooks/${HOOK_TOKEN}?sig=${SIG}`, `/hooks/${HOOK_TOKEN}?sig=${SIG}`]);
      expectNoUrlSecret(JSON.stringify(history));
      expect(JSON.stringify(outbox.health().get('hook/webhook'))).not.toContain(HOOK_TOKEN);
    } finally {
      await pipeline.stop();
    }
  });
});

describe('secretPartsOfUrl', () => {
  it('lists the URL, its path and query, and its token-like pieces, but not the host or short words', () => {
    const parts = secretPartsOfUrl(new URL('https://user:pa55w0rd-long@hooks.example/services/T0001/B0002/xYz-SeCrEt-42?sig=abcdefgh1234&v=1'));
    expect(parts).toEqual(
      expect.arrayContaining([
        'https://user:pa55w0rd-long@hooks.example/services/T0001/B0002/xYz-SeCrEt-42?sig=abcdefgh1234&v=1',
        '/services/T0001/B0002/xYz-SeCrEt-42?sig=abcdefgh1234&v=1',
        'sig=abcdefgh1234&v=1',
        'xYz-SeCrEt-42',
        'abcdefgh1234',
        'pa55w0rd-long',
      ]),
    );
    expect(parts).not.toContain('hooks.example');
    expect(parts).not.toContain('T0001');
    expect(parts).not.toContain('1');
  });
});

describe('webhookUrlOf', () => {
  it('builds the Service URL with defaults', () => {
    expect(webhookUrlOf({ service: { namespace: 'ns', name: 'svc' } })).toBe('http://svc.ns.svc:80/');
    expect(webhookUrlOf({ service: { namespace: 'ns', name: 'svc', scheme: 'https', port: 8443, path: 'in' } })).toBe(
      'https://svc.ns.svc:8443/in',
    );
  });
});
