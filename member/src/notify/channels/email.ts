/**
 * Email over SMTP with nodemailer. Port 465 (or any port in `implicitTlsPorts`) starts with TLS;
 * other ports upgrade with STARTTLS when offered, and `requireTLS` refuses to go on without it.
 * A Config with credentials always requires TLS before AUTH (as Alertmanager's `require_tls`
 * does by default), so a server or a man in the middle that offers no STARTTLS never sees the
 * password; `allowInsecureAuth` opts out.
 * One connection per message, messages sent one after another; every socket is ours (getSocket),
 * so an aborted send destroys it at once instead of waiting for nodemailer's timeouts.
 */
import net from 'node:net';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import type SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { egressDenialOf, type EgressPolicy } from '../egress.js';
import { egressLookup, literalDenial } from '../egress-connect.js';
import { abortedError, recordSecrets, redact, type SecretRecorder } from '../http.js';
import { DeliveryError, type ConfigBlock, type Notifier, type SendContext, type SendResult } from '../notifier.js';
import { tlsOptionsOf } from '../tls.js';
import { configOf } from '../config-need.js';
import type { FailureEvidence } from '../failure-reason.js';

export interface EmailNotifierOptions {
  /** Ports where SMTP starts with TLS instead of STARTTLS; default [465]. Tests add their own port. */
  implicitTlsPorts?: readonly number[];
}

type EmailConfig = ConfigBlock<'email'>;

/** nodemailer codes that no retry fixes when the server gave no reply code. */
const TERMINAL_CODES = new Set(['EAUTH', 'EENVELOPE', 'EMESSAGE', 'EREQUIRETLS']);
const DEFAULT_MAX_RECEIVERS = 100;

/** Recipient lists, one per message: one each for 'single', chunks of maxEmailReceivers for 'bulk'. */
export function recipientBatches(to: readonly string[], opts: { single: boolean; max: number }): string[][] {
  const size = opts.single ? 1 : Math.max(1, opts.max);
  const batches: string[][] = [];
  for (let i = 0; i < to.length; i += size) batches.push(to.slice(i, i + size));
  return batches;
}

function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ').trim();
}

function composeMessages(ctx: SendContext<'email'>, from: string): Mail.Options[] {
  const { spec } = ctx.target;
  const options = ctx.options;
  const template = spec.template ?? options.template;
  const subjectTemplate = spec.subjectTemplate ?? options.subjectTemplate;
  const subject = oneLine(ctx.templates.render('subject', subjectTemplate, ctx.data));
  const text = ctx.templates.render('text', template, ctx.data);
  // html (the default) is multipart/alternative: the html part and a text part for plain clients.
  const html = (spec.tmplType ?? options.tmplType) === 'text' ? undefined : ctx.templates.render('html', template, ctx.data);
  const batches = recipientBatches(spec.to, {
    single: options.deliveryType === 'single',
    max: options.maxEmailReceivers ?? DEFAULT_MAX_RECEIVERS,
  });
  return batches.map((to) => ({ from, to, subject, text, ...(html === undefined ? {} : { html }) }));
}

function authOf(config: EmailConfig, secrets: SecretRecorder): Pick<SMTPTransport.Options, 'auth' | 'authMethod'> {
  const user = config.authUsername;
  if (!user) return {};
  // PLAIN/LOGIN (nodemailer picks what the server offers) when a password is set; else CRAM-MD5.
  if (config.authPassword) {
    const pass = secrets.secret(config.authPassword, 'spec.email.authPassword');
    // AUTH LOGIN and PLAIN send these encodings; a server quoting them back must not leak the password.
    secrets.derived(Buffer.from(pass).toString('base64'));
    secrets.derived(Buffer.from(`\u0000${user}\u0000${pass}`).toString('base64'));
    return { auth: { user, pass } };
  }
  if (config.authSecret) {
    return { auth: { user, pass: secrets.secret(config.authSecret, 'spec.email.authSecret') }, authMethod: 'CRAM-MD5' };
  }
  return {};
}

/** Why the session must be encrypted: the Config's requireTLS, or its credentials. */
export type TlsRequirement = 'requireTLS' | 'credentials' | undefined;

/**
 * Whether a session on a port without implicit TLS must upgrade with STARTTLS: when the Config
 * says so, and whenever it authenticates, unless allowInsecureAuth permits plain-text AUTH.
 */
export function tlsRequirementOf(config: Pick<EmailConfig, 'requireTLS' | 'allowInsecureAuth'>, authenticates: boolean): TlsRequirement {
  if (config.requireTLS === true) return 'requireTLS';
  if (authenticates && config.allowInsecureAuth !== true) return 'credentials';
  return undefined;
}

/**
 * Opens and tracks the transport's sockets so an abort can destroy them. Every connection is
 * made here, so the outbound policy is applied here: an IP-literal host before connecting, a
 * name on each address it resolves to.
 */
class Sockets {
  private readonly open = new Set<net.Socket>();
  private readonly onAbort = (): void => this.destroyAll();
  private readonly lookup: net.LookupFunction | undefined;

  constructor(
    private readonly server: { host: string; port: number },
    private readonly signal: AbortSignal,
    private readonly egress: EgressPolicy,
  ) {
    signal.addEventListener('abort', this.onAbort, { once: true });
    this.lookup = egressLookup(egress);
  }

  readonly getSocket = (_opts: unknown, callback: (err: Error | null, socketOptions?: object) => void): void => {
    if (this.signal.aborted) return callback(new Error('aborted'));
    const refused = literalDenial(this.server.host, this.egress);
    if (refused) return callback(refused);
    const socket = net.connect({ ...this.server, ...(this.lookup ? { lookup: this.lookup } : {}) });
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
    socket.once('connect', () => {
      socket.off('error', callback);
      // nodemailer adds its own handlers; this one only keeps a late error from going unhandled.
      socket.on('error', () => undefined);
      callback(null, { connection: socket });
    });
    socket.once('error', callback);
  };

  destroyAll(): void {
    for (const socket of this.open) socket.destroy();
  }

  dispose(): void {
    this.signal.removeEventListener('abort', this.onAbort);
    this.destroyAll();
  }
}

/** Rejects as soon as the signal aborts, without waiting for the wrapped promise. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) reject(signal.reason as Error);
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort)).catch(() => undefined);
  });
}

interface FailureContext {
  server: string;
  tlsRequired: TlsRequirement;
  sent: number;
  total: number;
  secrets: readonly string[];
}

const INSECURE_AUTH_HINT =
  'use an implicit TLS port or a server with STARTTLS, or set spec.email.allowInsecureAuth: true to allow plain-text AUTH';

/** The STARTTLS and AUTH requirements are this receiver's settings, as is the outbound policy. */
const CONFIG: FailureEvidence = { kind: 'config' };

type Say = (what: string, retryable: boolean, why: FailureEvidence) => DeliveryError;

/** A session that had to be encrypted and could not be: STARTTLS refused, or no EHLO to offer it. */
function tlsFailure(e: SMTPConnection.SMTPError, required: TlsRequirement, say: Say): DeliveryError | undefined {
  if (required === undefined) return undefined;
  const forCredentials = `the credentials are never sent unencrypted: ${INSECURE_AUTH_HINT}`;
  // nodemailer only insists on STARTTLS under requireTLS; a 5xx refusal means the server lacks it.
  if (e.command === 'STARTTLS' && e.response) {
    const permanent = (e.responseCode ?? 500) >= 500;
    const why = permanent ? 'the server does not support STARTTLS' : 'the server refused STARTTLS for now';
    if (required === 'credentials') return say(`${why} (it answered: ${e.response}), and ${forCredentials}`, !permanent, CONFIG);
    return say(`requireTLS is set but ${why} (it answered: ${e.response})`, !permanent, CONFIG);
  }
  // A server that only speaks HELO has no STARTTLS either.
  if (e.command === 'EHLO' && required === 'credentials') return say(`${e.message}; ${forCredentials}`, (e.responseCode ?? 500) < 500, CONFIG);
  return undefined;
}

/** smtpFailure classifies: 4xx replies and network errors retry; 5xx replies and bad input do not. */
function smtpFailure(err: unknown, ctx: FailureContext): DeliveryError {
  const e = err as SMTPConnection.SMTPError;
  const progress = ctx.sent > 0 ? ` (after ${ctx.sent} of ${ctx.total} messages were sent)` : '';
  const say: Say = (what, retryable, why) =>
    new DeliveryError(redact(`SMTP ${ctx.server}: ${what}${progress}`, ctx.secrets), { retryable, cause: err, why });
  const refused = egressDenialOf(err);
  if (refused) return say(refused.message, refused.retryable, CONFIG);
  const tls = tlsFailure(e, ctx.tlsRequired, say);
  if (tls) return tls;
  const message = e instanceof Error ? e.message : String(err);
  if (e.responseCode !== undefined) return say(message, e.responseCode < 500, { kind: 'api', api: 'smtp', code: e.responseCode });
  return say(`${message}${e.code && !message.includes(e.code) ? ` [${e.code}]` : ''}`, !TERMINAL_CODES.has(e.code ?? ''), { kind: 'thrown', error: err });
}

function answerOf(info: SMTPTransport.SentMessageInfo): string {
  const rejected = info.rejected.length > 0 ? ` (rejected: ${info.rejected.map(String).join(', ')})` : '';
  return `${info.response}${rejected}`;
}

export class EmailNotifier implements Notifier<'email'> {
  readonly channel = 'email' as const;
  private readonly implicitTlsPorts: ReadonlySet<number>;

  constructor(opts: EmailNotifierOptions = {}) {
    this.implicitTlsPorts = new Set(opts.implicitTlsPorts ?? [465]);
  }

  async send(ctx: SendContext<'email'>): Promise<SendResult> {
    const config = configOf(ctx);
    const secrets = recordSecrets(ctx);
    const messages = composeMessages(ctx, config.from);
    if (messages.length === 0) throw new DeliveryError('email: the receiver names no recipients', { retryable: false, why: { kind: 'config' } });
    const { host, port } = config.smartHost;
    const sockets = new Sockets({ host, port }, ctx.signal, ctx.egress);
    const options = this.transportOptions(ctx, secrets, sockets);
    const transport = nodemailer.createTransport(options.transport);
    let sent = 0;
    let answer = '';
    try {
      for (const message of messages) {
        const info = await abortable(transport.sendMail(message), ctx.signal);
        answer = redact(answerOf(info), secrets.secrets);
        sent++;
      }
      return { answer, messages: sent };
    } catch (err) {
      if (ctx.signal.aborted) throw abortedError(`SMTP ${host}:${port}`, ctx.signal);
      throw smtpFailure(err, { server: `${host}:${port}`, tlsRequired: options.tlsRequired, sent, total: messages.length, secrets: secrets.secrets });
    } finally {
      transport.close();
      sockets.dispose();
    }
  }

  private transportOptions(
    ctx: SendContext<'email'>,
    secrets: SecretRecorder,
    sockets: Sockets,
  ): { transport: SMTPTransport.Options; tlsRequired: TlsRequirement } {
    const config = configOf(ctx);
    const { host, port } = config.smartHost;
    const secure = this.implicitTlsPorts.has(port);
    const auth = authOf(config, secrets);
    const tlsRequired = secure ? undefined : tlsRequirementOf(config, auth.auth !== undefined);
    const requireTLS = tlsRequired !== undefined;
    const tls = tlsOptionsOf(config.tls, secrets, 'spec.email.tls');
    const timeoutS = ctx.options.notificationTimeout;
    const timeoutMs = timeoutS !== undefined ? timeoutS * 1000 : undefined;
    const transport: SMTPTransport.Options = {
      host,
      port,
      secure,
      requireTLS,
      // Without requireTLS, a server that advertises STARTTLS but refuses it is used in plain text.
      opportunisticTLS: !requireTLS,
      ...(config.hello ? { name: config.hello } : {}),
      ...auth,
      ...(tls ? { tls } : {}),
      ...(timeoutMs ? { connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs } : {}),
      getSocket: sockets.getSocket,
    };
    return { transport, tlsRequired };
  }
}
