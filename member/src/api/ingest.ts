/**
 * POST /api/v2/alerts: the Alertmanager webhook (the same port and path as Notification Manager,
 * so existing Alertmanager configs keep working). The body is validated, then stored as received
 * in one transaction; only then does the agent answer 200.
 */
import type { FastifyInstance } from 'fastify';
import { AlertmanagerPayload } from '../ingest/alertmanager-schema.js';
import { declaredOnly } from '../ingest/project.js';
import type { AppDeps } from './app.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body as received, kept for the outbox so accepting costs no re-serialization. */
    rawBody?: string;
  }
}

export function ingestRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.post<{ Body: AlertmanagerPayload }>(
    '/api/v2/alerts',
    { schema: { body: AlertmanagerPayload } },
    async (request, reply) => {
      const count = request.body.alerts.length;
      deps.metrics?.received.inc({ source: 'alertmanager' }, count);
      const body = declaredOnly(AlertmanagerPayload, request.body);
      const text = body === request.body && request.rawBody !== undefined ? request.rawBody : JSON.stringify(body);
      deps.outbox.accept('alertmanager', text, count, deps.now());
      deps.metrics?.accepted.inc({ source: 'alertmanager' }, count);
      deps.onAccepted();
      return reply.status(200).send({ status: 200, message: `accepted ${count} alert${count === 1 ? '' : 's'}` });
    },
  );
}
