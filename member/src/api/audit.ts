/**
 * POST /api/v2/audit: the API server's audit webhook backend (an audit.k8s.io/v1 EventList). Like
 * alerts, the body is schema-checked, stored as received in one transaction, and only then
 * answered 200; Audit Rules select on the pipeline thread, so answering costs one insert and the
 * API server's batching backend never backs up behind routing or delivery.
 *
 * Request and response bodies (`requestObject`, `responseObject`: a Secret's data, when the audit
 * Policy logs at Request or RequestResponse level) are never kept: no Rule reads them, so they
 * are taken out before the body is stored or handed on.
 */
import type { FastifyInstance } from 'fastify';
import { AuditEventList } from '../ingest/audit-schema.js';
import type { AppDeps } from './app.js';

const BODIES = ['requestObject', 'responseObject'];

/** The list and its text without request or response bodies; the text as received when it has none. */
export function withoutBodies(list: AuditEventList, raw: string | undefined): { list: AuditEventList; text: string } {
  const items = list.items as unknown as Record<string, unknown>[];
  if (!items.some((e) => BODIES.some((k) => k in e))) return { list, text: raw ?? JSON.stringify(list) };
  const kept = { ...list, items: items.map((e) => Object.fromEntries(Object.entries(e).filter(([k]) => !BODIES.includes(k)))) } as unknown as AuditEventList;
  return { list: kept, text: JSON.stringify(kept) };
}

export function auditRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.post<{ Body: AuditEventList }>('/api/v2/audit', { schema: { body: AuditEventList } }, async (request, reply) => {
    const count = request.body.items.length;
    deps.metrics?.received.inc({ source: 'audit' }, count);
    // An empty list is valid and holds nothing to keep.
    if (count > 0) {
      const { list, text } = withoutBodies(request.body, request.rawBody);
      const id = deps.outbox.accept('audit', text, count, deps.now());
      deps.onAccepted(id, list);
    }
    deps.metrics?.accepted.inc({ source: 'audit' }, count);
    return reply.status(200).send({ status: 200, message: `accepted ${count} audit event${count === 1 ? '' : 's'}` });
  });
}
