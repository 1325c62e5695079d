/**
 * POST /api/v2/audit: the API server's audit webhook backend (an audit.k8s.io/v1 EventList). Like
 * alerts, the body is schema-checked, stored in one transaction, and only then
 * answered 200; Audit Rules select on the pipeline thread, so answering costs one insert and the
 * API server's batching backend never backs up behind routing or delivery.
 *
 * Only the fields Herald reads are kept (see audit-schema.ts): request and response bodies
 * (`requestObject`, `responseObject`: a Secret's data, when the audit Policy logs at Request or
 * RequestResponse level) are dropped before the body is stored or handed on.
 */
import type { FastifyInstance } from 'fastify';
import { AuditEventList } from '../ingest/audit-schema.js';
import { declaredOnly } from '../ingest/project.js';
import type { AppDeps } from './app.js';

/** The list's text with only the fields Herald reads; the text as received when that is all it has. */
function storedText(list: AuditEventList, raw: string | undefined): string {
  const kept = declaredOnly(AuditEventList, list);
  return kept === list && raw !== undefined ? raw : JSON.stringify(kept);
}

export function auditRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.post<{ Body: AuditEventList }>('/api/v2/audit', { schema: { body: AuditEventList } }, async (request, reply) => {
    const count = request.body.items.length;
    deps.metrics?.received.inc({ source: 'audit' }, count);
    // An empty list is valid and holds nothing to keep.
    if (count > 0) {
      deps.outbox.accept('audit', storedText(request.body, request.rawBody), count, deps.now());
      deps.onAccepted();
    }
    deps.metrics?.accepted.inc({ source: 'audit' }, count);
    return reply.status(200).send({ status: 200, message: `accepted ${count} audit event${count === 1 ? '' : 's'}` });
  });
}
