import net, { type AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Target } from '../notifier.js';
import { EmailNotifier, recipientBatches } from './email.js';
import { makeTestPki, type TestPki } from '../../../../test/wire/certs.js';
import { deliveryErrorOf, sendContext } from '../../../../test/wire/context.js';
import { smtpReply, startSmtpServer, type SmtpServerOptions, type SmtpTestServer } from '../../../../test/wire/smtp.js';

const PASSWORD = 'pa55-w0rd-secret';
const TO = ['ann@example.com', 'bob@example.com', 'cid@example.com'];

let pki: TestPki;
let servers: SmtpTestServer[] = [];

beforeAll(() => {
  pki = makeTestPki();
});
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function smtp(opts: SmtpServerOptions): Promise<SmtpTestServer> {
  const server = await startSmtpServer(opts);
  servers.push(server);
  return server;
}

type EmailConfig = NonNullable<Target<'email'>['config']>;

function ctx(config: EmailConfig, extra: { to?: string[]; options?: Record<string, unknown>; signal?: AbortSignal } = {}) {
  return sendContext({
    channel: 'email',
    spec: { to: extra.to ?? TO },
    config,
    options: extra.options ?? {},
    ...(extra.signal ? { signal: extra.signal } : {}),
  });
}

const base = (port: number): EmailConfig => ({ from: 'herald@example.com', smartHost: { host: '127.0.0.1', port } });
const withAuth = (port: number, password = PASSWORD): EmailConfig => ({
  ...base(port),
  requireTLS: true,
  authUsername: 'alice',
  authPassword: { value: password },
  tls: { rootCA: { value: pki.ca } },
});
/** Like a port-587 provider: STARTTLS offered, AUTH refused (538) until the session is encrypted. */
const submissionServer = (extra: SmtpServerOptions = {}): Promise<SmtpTestServer> =>
  smtp({ key: pki.server.key, cert: pki.server.cert, users: { alice: PASSWORD }, authMethods: ['PLAIN', 'LOGIN'], ...extra });

describe('EmailNotifier over STARTTLS with AUTH', () => {
  it('delivers one multipart message to every recipient after STARTTLS and AUTH', async () => {
    const server = await submissionServer();
    const result = await new EmailNotifier().send(ctx(withAuth(server.port)));
    expect(result).toEqual({ answer: expect.stringMatching(/^250 /) as unknown, messages: 1 });
    expect(server.mails).toHaveLength(1);
    const [mail] = server.mails;
    expect(mail).toMatchObject({ from: 'herald@example.com', to: TO, secure: true, user: 'alice' });
    expect(mail?.raw).toMatch(/^Subject: subject:default:2$/m);
    expect(mail?.raw).toMatch(/Content-Type: multipart\/alternative/);
    expect(mail?.raw).toMatch(/Content-Type: text\/plain[\s\S]*text:default:2/);
    expect(mail?.raw).toMatch(/Content-Type: text\/html[\s\S]*html:default:2/);
    expect(mail?.raw).toMatch(/^To: ann@example.com, bob@example.com, cid@example.com$/m);
    expect(server.auths[0]?.method).toBe('PLAIN');
  });

  it('authenticates with LOGIN when the server offers only LOGIN', async () => {
    const server = await submissionServer({ authMethods: ['LOGIN'] });
    await new EmailNotifier().send(ctx(withAuth(server.port)));
    expect(server.auths.map((a) => a.method)).toEqual(['LOGIN']);
    expect(server.mails).toHaveLength(1);
  });

  it('uses CRAM-MD5 with authSecret', async () => {
    const server = await submissionServer({ authMethods: ['CRAM-MD5'] });
    const config: EmailConfig = { ...withAuth(server.port), authPassword: undefined, authSecret: { value: PASSWORD } };
    await new EmailNotifier().send(ctx(config));
    expect(server.auths.map((a) => a.method)).toEqual(['CRAM-MD5']);
    expect(server.mails[0]?.user).toBe('alice');
  });

  it('fails terminally on a wrong password, without revealing it', async () => {
    const server = await submissionServer();
    const wrong = 'wr0ng-Secret-Value';
    const err = await deliveryErrorOf(new EmailNotifier().send(ctx(withAuth(server.port, wrong))));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/535/);
    expect(err.message).not.toContain(wrong);
    expect(err.message).not.toContain(Buffer.from(`\0alice\0${wrong}`).toString('base64'));
    expect(server.mails).toHaveLength(0);
  });

  it('fails retryably when the STARTTLS certificate is not trusted', async () => {
    // requireTLS false still upgrades because the server offers STARTTLS; without a trusted CA the handshake fails.
    const server = await submissionServer();
    const config: EmailConfig = { ...withAuth(server.port), requireTLS: false, tls: undefined };
    const err = await deliveryErrorOf(new EmailNotifier().send(ctx(config)));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/certificate/i);
  });
});

describe('EmailNotifier never sends credentials unencrypted', () => {
  /** A server that offers no STARTTLS but takes AUTH in plain text (as a stripping man in the middle would). */
  const plainAuthServer = (): Promise<SmtpTestServer> =>
    smtp({ disabledCommands: ['STARTTLS'], allowInsecureAuth: true, users: { alice: PASSWORD }, authMethods: ['PLAIN', 'LOGIN', 'CRAM-MD5'] });
  const credentials = (port: number): EmailConfig => ({ ...base(port), authUsername: 'alice', authPassword: { value: PASSWORD } });

  it('refuses to authenticate without TLS by default, and the server sees no AUTH', async () => {
    const server = await plainAuthServer();
    const err = await deliveryErrorOf(new EmailNotifier().send(ctx(credentials(server.port))));
    expect(err.retryable).toBe(false);
    expect(err.message).toContain(`SMTP 127.0.0.1:${server.port}: the server does not support STARTTLS`);
    expect(err.message).toContain('spec.email.allowInsecureAuth: true');
    expect(err.message).not.toContain(PASSWORD);
    // What the server saw: it was asked for STARTTLS, and never for AUTH.
    expect(server.commands).toContain('STARTTLS');
    expect(server.commands).not.toContain('AUTH');
    expect(server.auths).toEqual([]);
    expect(server.mails).toHaveLength(0);
  });

  it('refuses CRAM-MD5 (authSecret) without TLS too', async () => {
    const server = await plainAuthServer();
    const config: EmailConfig = { ...base(server.port), authUsername: 'alice', authSecret: { value: PASSWORD } };
    const err = await deliveryErrorOf(new EmailNotifier().send(ctx(config)));
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('spec.email.allowInsecureAuth');
    expect(server.commands).not.toContain('AUTH');
    expect(server.mails).toHaveLength(0);
  });

  it('authenticates in plain text only with allowInsecureAuth', async () => {
    const server = await plainAuthServer();
    const result = await new EmailNotifier().send(ctx({ ...credentials(server.port), allowInsecureAuth: true }));
    expect(result.messages).toBe(1);
    expect(server.auths).toEqual([{ method: 'PLAIN', username: 'alice' }]);
    expect(server.mails[0]).toMatchObject({ secure: false, user: 'alice' });
  });

  it('still upgrades with STARTTLS and authenticates when requireTLS is unset', async () => {
    const server = await submissionServer();
    const config: EmailConfig = { ...credentials(server.port), tls: { rootCA: { value: pki.ca } } };
    await new EmailNotifier().send(ctx(config));
    expect(server.commands.slice(0, 3)).toEqual(['EHLO', 'STARTTLS', 'EHLO']);
    expect(server.mails[0]).toMatchObject({ secure: true, user: 'alice' });
  });

  it('authenticates on an implicit TLS port, where no STARTTLS is needed', async () => {
    const server = await smtp({ secure: true, key: pki.server.key, cert: pki.server.cert, users: { alice: PASSWORD } });
    const config: EmailConfig = { ...credentials(server.port), tls: { rootCA: { value: pki.ca }, serverName: 'localhost' } };
    await new EmailNotifier({ implicitTlsPorts: [server.port] }).send(ctx(config));
    expect(server.commands).not.toContain('STARTTLS');
    expect(server.mails[0]).toMatchObject({ secure: true, user: 'alice' });
  });

  it('keeps requireTLS in charge when allowInsecureAuth is also set', async () => {
    const server = await plainAuthServer();
    const config: EmailConfig = { ...credentials(server.port), allowInsecureAuth: true, requireTLS: true };
    const err = await deliveryErrorOf(new EmailNotifier().send(ctx(config)));
    expect(err.message).toMatch(/requireTLS is set but the server does not support STARTTLS/);
    expect(server.commands).not.toContain('AUTH');
  });
});

describe('EmailNotifier TLS modes', () => {
  it('speaks implicit TLS on a port declared in implicitTlsPorts', async () => {
    const server = await smtp({ secure: true, key: pki.server.key, cert: pki.server.cert });
    const config: EmailConfig = { ...base(server.port), tls: { rootCA: { value: pki.ca }, serverName: 'localhost' } };
    const result = await new EmailNotifier({ implicitTlsPorts: [server.port] }).send(ctx(config));
    expect(result.messages).toBe(1);
    expect(server.mails[0]?.secure).toBe(true);
  });

  it('fails terminally with requireTLS when the server has no STARTTLS', async () => {
    const server = await smtp({ disabledCommands: ['STARTTLS'] });
    const config: EmailConfig = { ...base(server.port), requireTLS: true };
    const err = await deliveryErrorOf(new EmailNotifier().send(ctx(config)));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/requireTLS is set but the server does not support STARTTLS/);
    expect(server.mails).toHaveLength(0);
  });

  it('upgrades opportunistically when STARTTLS is offered and requireTLS is off', async () => {
    const server = await smtp({ key: pki.server.key, cert: pki.server.cert });
    const config: EmailConfig = { ...base(server.port), tls: { insecureSkipVerify: true } };
    await new EmailNotifier().send(ctx(config));
    expect(server.mails[0]?.secure).toBe(true);
  });

  it('sends in plain text when the server offers no STARTTLS and requireTLS is off', async () => {
    const server = await smtp({ disabledCommands: ['STARTTLS'] });
    await new EmailNotifier().send(ctx(base(server.port)));
    expect(server.mails[0]?.secure).toBe(false);
  });
});

describe('EmailNotifier failures', () => {
  it('retries a 451 temporary failure', async () => {
    const server = await smtp({
      disabledCommands: ['STARTTLS'],
      onRcptTo: (_addr, _session, cb) => cb(smtpReply(451, 'Temporary local problem, try later')),
    });
    const err = await deliveryErrorOf(new EmailNotifier().send(ctx(base(server.port))));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/451/);
  });

  it('gives up on a 550 permanent failure', async () => {
    const server = await smtp({
      disabledCommands: ['STARTTLS'],
      onMailFrom: (_addr, _session, cb) => cb(smtpReply(550, 'Sender rejected')),
    });
    const err = await deliveryErrorOf(new EmailNotifier().send(ctx(base(server.port))));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/550/);
  });

  it('retries when the server refuses the connection', async () => {
    const closed = await smtp({});
    const { port } = closed;
    await closed.close();
    servers = [];
    const err = await deliveryErrorOf(new EmailNotifier().send(ctx(base(port))));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/ECONNREFUSED/);
  });

  it('stops at once when the signal aborts, closing the socket', async () => {
    // A server that accepts and never greets: only the abort can end the send.
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const started = Date.now();
    const err = await deliveryErrorOf(new EmailNotifier().send(ctx(base(port), { signal: AbortSignal.timeout(300) })));
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/aborted/);
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect.poll(() => sockets.every((s) => s.closed || s.readableEnded)).toBe(true);
    sockets.forEach((s) => s.destroy());
    await new Promise((resolve) => silent.close(resolve));
  });
});

describe('EmailNotifier delivery types', () => {
  it('sends one message per recipient with deliveryType single', async () => {
    const server = await smtp({ disabledCommands: ['STARTTLS'] });
    const result = await new EmailNotifier().send(ctx(base(server.port), { options: { deliveryType: 'single' } }));
    expect(result.messages).toBe(3);
    expect(server.mails.map((m) => m.to)).toEqual(TO.map((t) => [t]));
  });

  it('chunks bulk messages by maxEmailReceivers', async () => {
    const server = await smtp({ disabledCommands: ['STARTTLS'] });
    const result = await new EmailNotifier().send(ctx(base(server.port), { options: { maxEmailReceivers: 2 } }));
    expect(result.messages).toBe(2);
    expect(server.mails.map((m) => m.to)).toEqual([TO.slice(0, 2), TO.slice(2)]);
  });

  it('sends text only with tmplType text, and uses the named templates', async () => {
    const server = await smtp({ disabledCommands: ['STARTTLS'] });
    const c = ctx(base(server.port), { options: { tmplType: 'text', subjectTemplate: 'my.subject', template: 'my.body' } });
    await new EmailNotifier().send(c);
    const raw = server.mails[0]?.raw ?? '';
    expect(raw).toMatch(/^Subject: subject:my.subject:2$/m);
    expect(raw).toMatch(/^Content-Type: text\/plain/m);
    expect(raw).toContain('text:my.body:2');
    expect(raw).not.toMatch(/text\/html|multipart/);
  });

  it('batches recipients', () => {
    expect(recipientBatches(['a', 'b', 'c'], { single: false, max: 100 })).toEqual([['a', 'b', 'c']]);
    expect(recipientBatches(['a', 'b', 'c'], { single: true, max: 100 })).toEqual([['a'], ['b'], ['c']]);
  });
});
