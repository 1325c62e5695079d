/**
 * A local stand-in for Opsgenie's Alert API with the alert state behind it: `POST /v2/alerts`
 * creates an alert, or adds to the open one with the same alias (Opsgenie's de-duplication);
 * `POST /v2/alerts/<id>/close?identifierType=alias` closes the open one. Both answer 202
 * `{result:"Request will be processed", took, requestId}`, as Opsgenie does (it processes them
 * asynchronously). Errors as Opsgenie sends them: 401 for a missing or wrong `Authorization:
 * GenieKey`, 422 `{message:"Request body is not processable…", errors:{field: reason}}` for a
 * blank or too long message (130) or alias (512), more than 20 tags, and 429 with
 * X-RateLimit-State: THROTTLED and X-RateLimit-Period-In-Sec when throttled.
 */
import { randomUUID } from 'node:crypto';
import { json, startHttpServer, type RecordedRequest, type Reply } from './http-server.js';

interface OpsgenieAlert {
  alias: string;
  message: string;
  priority: string;
  status: 'open' | 'closed';
  count: number;
  body: Record<string, unknown>;
}

export interface FakeOpsgenie {
  apiUrl: string;
  alerts: OpsgenieAlert[];
  requests: RecordedRequest[];
  mode: 'ok' | 'throttled' | 'unavailable';
  close(): Promise<void>;
}

const accepted = (): Reply => json(202, { result: 'Request will be processed', took: 0.012, requestId: randomUUID() });
const meta = (): Record<string, unknown> => ({ took: 0.001, requestId: randomUUID() });

function unprocessable(body: Record<string, unknown>): Reply | undefined {
  const errors: Record<string, string> = {};
  const message = body['message'];
  if (typeof message !== 'string' || message.trim() === '') errors['message'] = 'Message can not be empty.';
  else if ([...message].length > 130) errors['message'] = 'Message can not be longer than 130 characters.';
  if (typeof body['alias'] === 'string' && [...body['alias']].length > 512) errors['alias'] = 'Alias can not be longer than 512 characters.';
  if (Array.isArray(body['tags']) && body['tags'].length > 20) errors['tags'] = 'Tags can not be more than 20.';
  if (Object.keys(errors).length === 0) return undefined;
  return json(422, { message: 'Request body is not processable. Please check the errors.', errors, ...meta() });
}

export async function startFakeOpsgenie(opts: { apiKey: string }): Promise<FakeOpsgenie> {
  const alerts: OpsgenieAlert[] = [];
  const create = (req: RecordedRequest): Reply => {
    const body = JSON.parse(req.body) as Record<string, unknown>;
    const refused = unprocessable(body);
    if (refused) return refused;
    const alias = typeof body['alias'] === 'string' ? body['alias'] : randomUUID();
    const open = alerts.find((a) => a.alias === alias && a.status === 'open');
    if (open) open.count += 1;
    else alerts.push({ alias, message: String(body['message']), priority: typeof body['priority'] === 'string' ? body['priority'] : 'P3', status: 'open', count: 1, body });
    return accepted();
  };
  const closeAlert = (url: URL): Reply => {
    const alias = decodeURIComponent(url.pathname.split('/')[3] ?? '');
    if (url.searchParams.get('identifierType') !== 'alias') return json(404, { message: 'Alert does not exist', ...meta() });
    const open = alerts.find((a) => a.alias === alias && a.status === 'open');
    // Asynchronous: a close of an unknown alias is accepted and fails later, in the request status.
    if (open) open.status = 'closed';
    return accepted();
  };
  const handle = (req: RecordedRequest): Reply => {
    if (req.headers.authorization !== `GenieKey ${opts.apiKey}`) return json(401, { message: 'Could not authenticate', ...meta() });
    if (fake.mode === 'throttled') {
      return json(429, { message: 'You are making too many requests! To avoid errors, we recommend you limit requests.', ...meta() }, {
        'x-ratelimit-state': 'THROTTLED',
        'x-ratelimit-reason': 'INTEGRATION',
        'x-ratelimit-period-in-sec': '60',
      });
    }
    if (fake.mode === 'unavailable') return json(503, { message: 'Service Unavailable', ...meta() });
    const url = new URL(req.url, 'http://opsgenie.local');
    if (req.method === 'POST' && url.pathname === '/v2/alerts') return create(req);
    if (req.method === 'POST' && /^\/v2\/alerts\/[^/]+\/close$/.test(url.pathname)) return closeAlert(url);
    return json(404, { message: 'Could not find the requested resource', ...meta() });
  };
  const server = await startHttpServer({ handler: (req) => handle(req) });
  const fake: FakeOpsgenie = { apiUrl: server.origin, alerts, requests: server.requests, mode: 'ok', close: () => server.close() };
  return fake;
}
