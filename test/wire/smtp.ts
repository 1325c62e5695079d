/**
 * A real SMTP server (smtp-server) on 127.0.0.1 and a random port that records every message with
 * its envelope and whether the session was encrypted, every command a client sent and every
 * connection. Options pass straight to smtp-server, so a test can require STARTTLS, start in TLS,
 * disable STARTTLS, accept AUTH in plain text or fail recipients.
 */
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { AddressInfo } from 'node:net';

interface ReceivedMail {
  from: string;
  to: string[];
  /** The raw message (headers and MIME body). */
  raw: string;
  /** True when the session ran over TLS (implicit or after STARTTLS). */
  secure: boolean;
  /** The authenticated user, if any. */
  user: string | undefined;
}

export interface SmtpTestServer {
  port: number;
  mails: ReceivedMail[];
  /** Every AUTH attempt: method and username (never the password). */
  auths: { method: string; username: string | undefined }[];
  /** The name of every command clients sent (EHLO, STARTTLS, AUTH, …), in order. */
  commands: string[];
  /** How many TCP connections the server accepted. */
  connections(): number;
  close(): Promise<void>;
}

export interface SmtpServerOptions extends SMTPServerOptions {
  /** Accepted username → password (PLAIN, LOGIN and CRAM-MD5). */
  users?: Record<string, string>;
}

export async function startSmtpServer(opts: SmtpServerOptions = {}): Promise<SmtpTestServer> {
  const { users = {}, ...serverOptions } = opts;
  const mails: ReceivedMail[] = [];
  const auths: SmtpTestServer['auths'] = [];
  const commands: string[] = [];
  let connections = 0;
  const ignore = (): void => undefined;
  const server = new SMTPServer({
    // smtp-server logs each command it parses (`tnx: 'command'`): the record of what clients said.
    logger: {
      level: ignore,
      trace: ignore,
      info: ignore,
      warn: ignore,
      error: ignore,
      fatal: ignore,
      debug(entry: unknown) {
        const { tnx, command } = (entry ?? {}) as { tnx?: unknown; command?: unknown };
        if (tnx === 'command' && typeof command === 'string') commands.push(command);
      },
    },
    authOptional: Object.keys(users).length === 0,
    onAuth(auth, _session, callback) {
      auths.push({ method: auth.method, username: auth.username });
      const expected = auth.username === undefined ? undefined : users[auth.username];
      const ok =
        expected !== undefined && (auth.method === 'CRAM-MD5' ? auth.validatePassword(expected) : auth.password === expected);
      if (!ok) return callback(new Error('Invalid username or password'));
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const from = session.envelope.mailFrom;
        mails.push({
          from: from ? from.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          secure: session.secure,
          user: typeof session.user === 'string' ? session.user : undefined,
        });
        callback();
      });
    },
    ...serverOptions,
  });
  server.on('error', () => undefined);
  server.server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    mails,
    auths,
    commands,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An Error that smtp-server answers with the given reply code. */
export function smtpReply(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}
