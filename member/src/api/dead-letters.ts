/**
 * The dead letters (admin): accepted requests the pipeline could not route after several
 * attempts. Listed without their bodies, one shown with its body, put back into the inbox to be
 * tried again (after a fix, say), or discarded for good.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { apiError } from './errors.js';
import type { AppDeps } from './app.js';

const Id = Type.Object({ id: Type.String({ pattern: '^[1-9][0-9]{0,15}$' }) });
const ListQuery = Type.Object({ limit: Type.Optional(Type.String({ pattern: '^(1000|[1-9][0-9]{0,2})$', description: '1 to 1000; default 100' })) });
type Id = Static<typeof Id>;

export function deadLetterRoutes(app: FastifyInstance, deps: AppDeps): void {
  const missing = (id: string) => apiError(404, 'not_found', `no dead letter ${id}`);
  app.get<{ Querystring: Static<typeof ListQuery> }>('/api/v2/dead-letters', { schema: { querystring: ListQuery } }, (request) => ({
    entries: deps.outbox.deadLetters(request.query.limit ? Number(request.query.limit) : 100).map(({ receivedAt, deadAt, ...rest }) => ({
      ...rest,
      receivedAt: new Date(receivedAt).toISOString(),
      deadAt: new Date(deadAt).toISOString(),
    })),
  }));
  app.get<{ Params: Id }>('/api/v2/dead-letters/:id', { schema: { params: Id } }, (request, reply) => {
    const body = deps.outbox.deadLetterBody(Number(request.params.id));
    if (body === undefined) return reply.status(404).send(missing(request.params.id));
    return reply.type('application/json').send(body);
  });
  app.post<{ Params: Id }>('/api/v2/dead-letters/:id/retry', { schema: { params: Id } }, (request, reply) => {
    const inboxId = deps.outbox.requeue(Number(request.params.id));
    if (inboxId === undefined) return reply.status(404).send(missing(request.params.id));
    deps.onAccepted();
    return reply.status(202).send({ status: 202, message: `dead letter ${request.params.id} is back in the inbox as request ${inboxId}` });
  });
  app.delete<{ Params: Id }>('/api/v2/dead-letters/:id', { schema: { params: Id } }, (request, reply) => {
    if (!deps.outbox.dropDeadLetter(Number(request.params.id))) return reply.status(404).send(missing(request.params.id));
    return reply.status(200).send({ status: 200, message: `dead letter ${request.params.id} discarded` });
  });
}
