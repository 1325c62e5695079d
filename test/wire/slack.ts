/**
 * A local stand-in for Slack's Web API `POST /api/chat.postMessage`, answering as Slack does:
 * HTTP 200 with `{ok:true, channel, ts}` or `{ok:false, error}` (invalid_auth, channel_not_found),
 * and HTTP 429 with Retry-After when rate limited. Accepts form-urlencoded and JSON bodies.
 */
import { json, startHttpServer, type RecordedRequest, type Reply } from './http-server.js';

interface SlackPost {
  channel: string;
  text: string;
}

export interface FakeSlack {
  /** Base URL for WebClient's slackApiUrl, ending in `/api/`. */
  apiUrl: string;
  /** Accepted posts, in arrival order. */
  posts: SlackPost[];
  /** Every request, accepted or not. */
  requests: RecordedRequest[];
  /** How many TCP connections the server accepted. */
  connections(): number;
  /** 'ratelimited' answers every call with HTTP 429 and Retry-After: 2. */
  mode: 'ok' | 'ratelimited' | 'unavailable';
  /** Answer `ratelimited` once this many messages have been posted (a limit hit half-way). */
  rateLimitAfter?: number;
  close(): Promise<void>;
}

function paramsOf(req: RecordedRequest): Record<string, unknown> {
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('application/json')) return JSON.parse(req.body) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(req.body));
}

/** startFakeSlack serves `token`; `channels` maps the names it knows to channel IDs. */
export async function startFakeSlack(opts: { token: string; channels: Record<string, string> }): Promise<FakeSlack> {
  const posts: SlackPost[] = [];
  let ts = 1_700_000_000;
  /** chat.postMessage proper, once the transport-level checks have passed. */
  const postMessage = (req: RecordedRequest): Reply => {
    const params = paramsOf(req);
    const token = req.headers.authorization?.replace(/^Bearer /, '') ?? params['token'];
    if (token !== opts.token) return json(200, { ok: false, error: token ? 'invalid_auth' : 'not_authed' });
    const { channel, text } = params;
    const id = typeof channel === 'string' ? opts.channels[channel] : undefined;
    if (typeof channel !== 'string' || !id) return json(200, { ok: false, error: 'channel_not_found' });
    if (typeof text !== 'string' || !text) return json(200, { ok: false, error: 'no_text' });
    posts.push({ channel, text });
    ts += 1;
    return json(200, { ok: true, channel: id, ts: `${ts}.000100`, message: { type: 'message', text } });
  };
  const handle = (req: RecordedRequest): Reply => {
    if (req.method !== 'POST' || req.url !== '/api/chat.postMessage') return json(404, { ok: false, error: 'unknown_method' });
    const limited = fake.mode === 'ratelimited' || (fake.rateLimitAfter !== undefined && posts.length >= fake.rateLimitAfter);
    if (limited) return json(429, { ok: false, error: 'ratelimited' }, { 'retry-after': '2' });
    if (fake.mode === 'unavailable') return { status: 503, body: 'upstream unavailable' };
    return postMessage(req);
  };
  const server = await startHttpServer({ handler: (req) => handle(req) });
  const fake: FakeSlack = {
    apiUrl: `${server.origin}/api/`,
    posts,
    requests: server.requests,
    connections: () => server.connections(),
    mode: 'ok',
    close: () => server.close(),
  };
  return fake;
}
