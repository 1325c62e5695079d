/**
 * The email contract case, against a real SMTP server. Email's contract is SMTP's: a 4xx reply is
 * temporary (retryable), a 5xx permanent (terminal), 535 refuses the credentials. The server's
 * failure replies quote what the session said, AUTH and its password included.
 */
import type { SMTPServerAuthenticationResponse } from 'smtp-server';
import { sendContext } from '../context.js';
import { smtpReply, startSmtpServer } from '../smtp.js';
import type { ContractCase, Scenario } from './stage.js';

const USER = 'alice';
const PASSWORD = 'smtpPassw0rd-Zqb1contract';

/** The SMTP reply each failing scenario gets at RCPT TO. */
const AT_RCPT: Partial<Record<Scenario, [number, string]>> = {
  unavailable: [451, '4.3.0 Temporary local problem, try later:'],
  rateLimited: [450, '4.2.1 The user is receiving mail at a rate that prevents additional messages:'],
  badRequest: [550, '5.1.1 Mailbox unavailable:'],
};

export const EMAIL_CASE: ContractCase = {
  name: 'email',
  channel: 'email',
  // SMTP has no 429 and no Retry-After: a throttling server answers 4xx, "later", never how much later.
  differs: { rateLimited: { reason: 'server-error', retryAfterMs: undefined } },
  async stage(scenario) {
    const served: string[] = [];
    let deliveries = 0;
    let said = '';
    const fail = (code: number, text: string): Error => {
      const echo = `${text} ${said}`;
      served.push(echo);
      return smtpReply(code, echo);
    };
    const server = await startSmtpServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authMethods: ['PLAIN', 'LOGIN'],
      users: { [USER]: PASSWORD },
      onAuth(auth, _session, callback: (err: Error | null | undefined, response?: SMTPServerAuthenticationResponse) => void) {
        said = `AUTH ${auth.method} ${auth.username ?? ''} ${auth.password ?? ''}`;
        if (scenario === 'refused') {
          deliveries++;
          return callback(fail(535, '5.7.8 Authentication credentials invalid:'));
        }
        callback(null, { user: auth.username });
      },
      onMailFrom(_address, _session, callback) {
        // silent: the server never answers MAIL FROM; only the abort ends the send.
        if (scenario !== 'silent') return callback();
        deliveries++;
      },
      onRcptTo(_address, _session, callback) {
        const reply = AT_RCPT[scenario];
        if (reply) deliveries++;
        callback(reply ? fail(...reply) : undefined);
      },
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => {
          deliveries++;
          callback(null, `2.0.0 OK queued as 4F2A9 for ${said}`);
        });
      },
    });
    return {
      send: (notifiers, signal) => {
        const notifier = notifiers.email;
        if (!notifier) throw new Error('the registry has no email notifier');
        // No STARTTLS on this server, so plain-text AUTH is allowed explicitly.
        const config = { from: 'herald@example.com', smartHost: { host: '127.0.0.1', port: server.port }, authUsername: USER, authPassword: { value: PASSWORD }, allowInsecureAuth: true };
        return notifier.send(sendContext({ channel: 'email', spec: { to: ['ops@example.com'] }, config, signal }));
      },
      secrets: () => [PASSWORD, Buffer.from(`\u0000${USER}\u0000${PASSWORD}`).toString('base64')],
      served: () => served,
      deliveries: () => deliveries,
      close: () => server.close(),
    };
  },
};
