/**
 * POST /api/v2/audit: the API server's audit webhook backend (an audit.k8s.io/v1 EventList). Like
 * alerts, the body is schema-checked, stored as received in one transaction, and only then
 * answered 200; Audit Rules select on the pipeline thread, so answering costs one insert and the
 * API server's batching backend never backs up behind routing or delivery.
 */
import type { FastifyInstance } from 'fastify';
import { AuditEventList } from '../ingest/audit-schema.js';
import type { AppDeps } from './app.js';

export function auditRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.post<{ Body: AuditEventList }>('/api/v2/audit', { schema: { body: AuditEventList } }, async (request, reply) => {
    const count = request.body.items.length;
    deps.metrics?.received.inc({ source: 'audit' }, count);
    // An empty list is valid and holds nothing to keep.
    if (count > 0) {
      const id = deps.outbox.accept('audit', request.rawBody ?? JSON.stringify(request.body), count, deps.now());
      deps.onAccepted(id, request.body);
    }
    deps.metrics?.accepted.inc({ source: 'audit' }, count);
    return reply.status(200).send({ status: 200, message: `accepted ${count} audit event${count === 1 ? '' : 's'}` });
  });
}
