/**
 * A local stand-in for PagerDuty's Events API v2 `POST /v2/enqueue`, with the incident state
 * behind it: a trigger opens an incident for its dedup_key (or adds to the open one), a resolve
 * closes the open one (and is dropped if none is open), as PagerDuty documents. Answers: 202
 * `{status:"success", message:"Event processed", dedup_key}`; 400 `{status:"invalid event",
 * message:"Event object is invalid", errors:[…]}` for a routing key that is not 32 characters, an
 * unknown event_action, or a trigger missing summary/source/severity or with a summary over 1024
 * characters; 429 when throttled; 500 for an outage.
 */
import { json, startHttpServer, type RecordedRequest, type Reply } from './http-server.js';

interface PagerDutyIncident {
  dedupKey: string;
  routingKey: string;
  status: 'triggered' | 'resolved';
  summary: string;
  severity: string;
  triggers: number;
}

export interface FakePagerDuty {
  apiUrl: string;
  /** Every incident ever opened, oldest first. */
  incidents: PagerDutyIncident[];
  /** Every event accepted, as sent. */
  events: Record<string, unknown>[];
  requests: RecordedRequest[];
  mode: 'ok' | 'ratelimited' | 'unavailable';
  close(): Promise<void>;
}

const SEVERITIES = ['critical', 'error', 'warning', 'info'];
const invalid = (errors: string[]): Reply => json(400, { status: 'invalid event', message: 'Event object is invalid', errors });

function problems(event: Record<string, unknown>): string[] {
  const out: string[] = [];
  const key = event['routing_key'];
  if (typeof key !== 'string' || key.length !== 32) out.push("Length of 'routing_key' is incorrect (should be 32 characters)");
  const action = event['event_action'];
  if (action !== 'trigger' && action !== 'acknowledge' && action !== 'resolve') {
    out.push("'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')");
  }
  const dedup = event['dedup_key'];
  if (dedup !== undefined && (typeof dedup !== 'string' || dedup.length > 255)) out.push("'dedup_key' is too long (maximum is 255 characters)");
  return action === 'trigger' ? [...out, ...payloadProblems((event['payload'] ?? {}) as Record<string, unknown>)] : out;
}

function payloadProblems(payload: Record<string, unknown>): string[] {
  const out: string[] = [];
  const summary = payload['summary'];
  if (typeof summary !== 'string' || summary.trim() === '') out.push("'payload.summary' is missing or blank");
  else if ([...summary].length > 1024) out.push("'payload.summary' is too long (maximum is 1024 characters)");
  if (typeof payload['source'] !== 'string' || payload['source'] === '') out.push("'payload.source' is missing or blank");
  if (!SEVERITIES.includes(String(payload['severity']))) out.push("'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')");
  return out;
}

export async function startFakePagerDuty(): Promise<FakePagerDuty> {
  const incidents: PagerDutyIncident[] = [];
  const events: Record<string, unknown>[] = [];
  const apply = (event: Record<string, unknown>): string => {
    const routingKey = String(event['routing_key']);
    const dedupKey = typeof event['dedup_key'] === 'string' ? event['dedup_key'] : `auto-${events.length}`;
    const open = incidents.find((i) => i.dedupKey === dedupKey && i.routingKey === routingKey && i.status === 'triggered');
    const payload = (event['payload'] ?? {}) as Record<string, string>;
    if (event['event_action'] === 'trigger') {
      if (open) open.triggers += 1;
      else incidents.push({ dedupKey, routingKey, status: 'triggered', summary: payload['summary'] ?? '', severity: payload['severity'] ?? '', triggers: 1 });
    } else if (event['event_action'] === 'resolve' && open) {
      open.status = 'resolved';
    }
    return dedupKey;
  };
  const handle = (req: RecordedRequest): Reply => {
    if (req.method !== 'POST' || req.url !== '/v2/enqueue') return json(404, { status: 'not found', message: 'Not Found' });
    if (fake.mode === 'ratelimited') return json(429, { status: 'throttle event', message: 'Requests for this service are arriving too quickly.  Please retry later.' });
    if (fake.mode === 'unavailable') return json(500, { status: 'error', message: 'Internal Server Error' });
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      return json(400, { status: 'invalid event', message: 'Event object is invalid', errors: ['Request body is not valid JSON'] });
    }
    const found = problems(event);
    if (found.length > 0) return invalid(found);
    events.push(event);
    return json(202, { status: 'success', message: 'Event processed', dedup_key: apply(event) });
  };
  const server = await startHttpServer({ handler: (req) => handle(req) });
  const fake: FakePagerDuty = { apiUrl: server.origin, incidents, events, requests: server.requests, mode: 'ok', close: () => server.close() };
  return fake;
}
