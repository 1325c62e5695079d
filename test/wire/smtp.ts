/**
 * A real SMTP server (smtp-server) on 127.0.0.1 and a random port that records every message with
 * its envelope and whether the session was encrypted. Options pass straight to smtp-server, so a
 * test can require STARTTLS, start in TLS, disable STARTTLS or fail recipients.
 */
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface ReceivedMail {
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
  const server = new SMTPServer({
    logger: false,
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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    mails,
    auths,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An Error that smtp-server answers with the given reply code. */
export function smtpReply(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}
