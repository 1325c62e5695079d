/**
 * A local stand-in for Pushover's `POST /1/messages.json` (form-encoded), answering as Pushover
 * does: 200 `{status:1, request}`; 400 `{<param>:"invalid", errors:[…], status:0, request}` for a
 * bad token, user key, device or sound, or a message over 1024 characters / title over 250
 * (characters are code points); 429 once the application's monthly limit is used, with the
 * X-Limit-App-* headers (the reset as a Unix time); 500 for an outage.
 */
import { randomUUID } from 'node:crypto';
import { json, startHttpServer, type RecordedRequest, type Reply } from './http-server.js';

interface PushoverMessage {
  user: string;
  message: string;
  title?: string;
  device?: string;
  sound?: string;
}

export interface FakePushover {
  apiUrl: string;
  messages: PushoverMessage[];
  requests: RecordedRequest[];
  mode: 'ok' | 'quota' | 'unavailable';
  /** Unix time the monthly limit resets. */
  resetAt: number;
  close(): Promise<void>;
}

const SOUNDS = new Set(['pushover', 'bike', 'siren', 'persistent', 'none']);
const chars = (s: string | undefined): number => [...(s ?? '')].length;

function invalid(param: string, error: string): Reply {
  return json(400, { [param]: 'invalid', errors: [error], status: 0, request: randomUUID() });
}

/** `users` maps each known user key to its device names. */
export async function startFakePushover(opts: { token: string; users: Record<string, string[]> }): Promise<FakePushover> {
  const messages: PushoverMessage[] = [];
  const check = (p: URLSearchParams): Reply | undefined => {
    if (p.get('token') !== opts.token) return invalid('token', 'application token is invalid, see https://pushover.net/api');
    const devices = opts.users[p.get('user') ?? ''];
    if (!devices) return invalid('user', 'user identifier is not a valid user, group, or subscribed user key, see https://pushover.net/api#identifiers');
    return checkMessage(p, devices);
  };
  const checkMessage = (p: URLSearchParams, devices: string[]): Reply | undefined => {
    const message = p.get('message') ?? '';
    if (message === '') return invalid('message', 'message cannot be blank');
    if (chars(message) > 1024) return invalid('message', 'message cannot be longer than 1024 characters');
    if (chars(p.get('title') ?? '') > 250) return invalid('title', 'title cannot be longer than 250 characters');
    const unknown = (p.get('device') ?? '').split(',').filter((d) => d !== '' && !devices.includes(d));
    if (unknown.length > 0) return invalid('devices', `device name is not valid for user: ${unknown.join(',')}`);
    if (p.has('sound') && !SOUNDS.has(p.get('sound') ?? '')) return invalid('sound', 'sound is invalid');
    return undefined;
  };
  const limits = (remaining: number): Record<string, string> => ({
    'x-limit-app-limit': '10000',
    'x-limit-app-remaining': String(remaining),
    'x-limit-app-reset': String(fake.resetAt),
  });
  const handle = (req: RecordedRequest): Reply => {
    if (req.method !== 'POST' || req.url !== '/1/messages.json') return json(404, { errors: ['not found'], status: 0 });
    if (fake.mode === 'unavailable') return { status: 500, body: 'Internal Server Error' };
    if (fake.mode === 'quota') {
      return json(429, { errors: ['application has exceeded its monthly message limit'], status: 0, request: randomUUID() }, limits(0));
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return invalid('message', 'message cannot be blank');
    const p = new URLSearchParams(req.body);
    const refused = check(p);
    if (refused) return refused;
    const get = (k: string): Record<string, string> => (p.has(k) ? { [k]: p.get(k) ?? '' } : {});
    messages.push({ user: p.get('user') ?? '', message: p.get('message') ?? '', ...get('title'), ...get('device'), ...get('sound') });
    return json(200, { status: 1, request: randomUUID() }, limits(10000 - messages.length));
  };
  const server = await startHttpServer({ handler: (req) => handle(req) });
  const fake: FakePushover = {
    apiUrl: server.origin,
    messages,
    requests: server.requests,
    mode: 'ok',
    resetAt: Math.floor(Date.now() / 1000) + 3600,
    close: () => server.close(),
  };
  return fake;
}
