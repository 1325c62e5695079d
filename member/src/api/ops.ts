/** Operations endpoints: delivery history (admin), liveness and readiness (open). */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, onResponseHookHandler } from 'fastify';
import { HISTORY_LIMIT_PATTERN, HISTORY_OUTCOMES } from '@herald/shared';
import { requestFields } from '@herald/shared/log';
import type { AppDeps } from './app.js';
import { parseTargetKey } from '../model/target-key.js';

const HistoryQuery = Type.Object({
  receiver: Type.Optional(Type.String({ minLength: 1, maxLength: 253 })),
  channel: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  outcome: Type.Optional(Type.Union(HISTORY_OUTCOMES.map((o) => Type.Literal(o)))),
  since: Type.Optional(Type.String({ format: 'date-time' })),
  limit: Type.Optional(Type.String({ pattern: HISTORY_LIMIT_PATTERN, description: '1 to 1000; default 100' })),
  before: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,15}$', description: 'only entries whose id is below this (the next page)' })),
});

export function historyRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get<{ Querystring: Static<typeof HistoryQuery> }>('/api/v2/history', { schema: { querystring: HistoryQuery } }, (request) => {
    const q = request.query;
    const entries = deps.outbox
      .history({ receiver: q.receiver, channel: q.channel, outcome: q.outcome, since: q.since ? Date.parse(q.since) : undefined, limit: q.limit ? Number(q.limit) : 100, before: q.before ? Number(q.before) : undefined })
      .map(({ target, at, ...rest }) => ({ at: new Date(at).toISOString(), ...parseTargetKey(target), ...rest }));
    return { entries };
  });
}

/** Probes and scrapes come every few seconds: their lines are at debug (request logging is otherwise off). */
export const probeLine: onResponseHookHandler = (request, reply, done) => {
  request.log.debug(requestFields({ request, reply }), 'request answered');
  done();
};

export function openRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/healthz', { onResponse: probeLine }, () => ({ status: 'ok' }));
  app.get('/readyz', { onResponse: probeLine }, (_request, reply) => {
    const ready = deps.ready?.() ?? true;
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready' });
  });
}
