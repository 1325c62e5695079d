/**
 * A local stand-in for a Teams Workflows webhook (a Power Automate / Logic Apps HTTP trigger at
 * `/workflows/<id>/triggers/manual/paths/invoke?api-version=…&sp=…&sv=1.0&sig=<signature>`),
 * answering as the trigger does: 202 with an empty body; 401 DirectApiInvalidAuthorizationSignature
 * for a wrong `sig`, 404 WorkflowNotFound, 400 TriggerInputSchemaMismatch for a body that is not
 * `{type:"message", attachments:[{contentType:"application/vnd.microsoft.card.adaptive", content:
 * AdaptiveCard ≥ 1.0}]}`, 413 over Teams' 28 KB message limit, and 429 with Retry-After when throttled.
 */
import { json, startHttpServer, type RecordedRequest, type Reply } from './http-server.js';

export interface TeamsCard {
  type: string;
  version: string;
  body: { type: string; text?: string; spacing?: string }[];
}

export interface FakeTeams {
  webhookUrl: string;
  origin: string;
  cards: TeamsCard[];
  requests: RecordedRequest[];
  mode: 'ok' | 'throttled' | 'unavailable';
  close(): Promise<void>;
}

export const TEAMS_LIMIT_BYTES = 28 * 1024;
const error = (status: number, code: string, message: string, headers: Record<string, string> = {}): Reply => json(status, { error: { code, message } }, headers);

function cardsOf(body: string): TeamsCard[] | undefined {
  const message = JSON.parse(body) as { type?: unknown; attachments?: { contentType?: unknown; content?: Partial<TeamsCard> }[] };
  if (message.type !== 'message' || !Array.isArray(message.attachments) || message.attachments.length === 0) return undefined;
  const cards: TeamsCard[] = [];
  for (const a of message.attachments) {
    const c = a.content;
    if (a.contentType !== 'application/vnd.microsoft.card.adaptive' || c?.type !== 'AdaptiveCard' || !c.version || !Array.isArray(c.body)) return undefined;
    cards.push(c as TeamsCard);
  }
  return cards;
}

export async function startFakeTeams(opts: { workflow: string; sig: string }): Promise<FakeTeams> {
  const cards: TeamsCard[] = [];
  const path = `/workflows/${opts.workflow}/triggers/manual/paths/invoke`;
  const handle = (req: RecordedRequest): Reply => {
    const url = new URL(req.url, 'http://logic.local');
    if (req.method !== 'POST' || url.pathname !== path) return error(404, 'WorkflowNotFound', 'The workflow could not be found.');
    if (url.searchParams.get('sig') !== opts.sig || url.searchParams.get('sv') !== '1.0') {
      return error(401, 'DirectApiInvalidAuthorizationSignature', 'The provided authorization signature is not valid.');
    }
    if (fake.mode === 'throttled') return error(429, 'WorkflowRequestsThrottled', 'The workflow requests are throttled.', { 'retry-after': '7' });
    if (fake.mode === 'unavailable') return error(503, 'ServiceUnavailable', 'The service is unavailable.');
    if (Buffer.byteLength(req.body) > TEAMS_LIMIT_BYTES) return { status: 413, body: 'Request Entity Too Large' };
    const got = cardsOf(req.body);
    if (!got) return error(400, 'TriggerInputSchemaMismatch', "The input body for trigger 'manual' of type 'Request' did not match its schema definition.");
    cards.push(...got);
    return { status: 202 };
  };
  const server = await startHttpServer({ handler: (req) => handle(req) });
  const fake: FakeTeams = {
    webhookUrl: `${server.origin}${path}?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${opts.sig}`,
    origin: server.origin,
    cards,
    requests: server.requests,
    mode: 'ok',
    close: () => server.close(),
  };
  return fake;
}
