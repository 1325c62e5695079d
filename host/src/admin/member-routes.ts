/**
 * Admin routes the host answers by asking members' agents (through each member's API server):
 * test-send on one member or on every member a receiver is placed on, and the delivery history
 * of all members merged, newest first, a page at a time. A member that cannot be asked answers
 * with its error (verify) or is listed as missing (history); it never holds the others up.
 */
import type { FastifyInstance } from 'fastify';
import type { KubeConfig } from '@kubernetes/client-node';
import { HISTORY_LIMIT_PATTERN, HISTORY_OUTCOMES } from '@herald/shared';
import { historyAcross, verifyOn, verifyPlaced, type HistoryQuery } from '../members/queries.js';

const NAME = { type: 'string', minLength: 1, maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' } as const;
/** A receiver (or config) given inline: the agent checks its spec, and that it holds no Secret reference. */
const INLINE = { type: 'object', required: ['spec'], properties: { metadata: { type: 'object', properties: { name: NAME } }, spec: { type: 'object' } } } as const;

const VERIFY_ONE = {
  type: 'object',
  required: ['receiver'],
  additionalProperties: false,
  properties: { receiver: { oneOf: [NAME, INLINE] }, config: INLINE },
} as const;

const VERIFY_PLACED = { type: 'object', required: ['receiver'], additionalProperties: false, properties: { receiver: NAME } } as const;

const HISTORY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    cluster: NAME,
    receiver: NAME,
    channel: { type: 'string', minLength: 1, maxLength: 32, pattern: '^[a-z]+$' },
    outcome: { enum: HISTORY_OUTCOMES },
    since: { type: 'string', format: 'date-time' },
    limit: { type: 'string', pattern: HISTORY_LIMIT_PATTERN, description: '1 to 1000; default 100' },
    cursor: { type: 'string', minLength: 1, maxLength: 16384 },
  },
} as const;

type HistoryParams = { [K in 'cluster' | 'receiver' | 'channel' | 'outcome' | 'since' | 'limit' | 'cursor']?: string };

export function memberRoutes(app: FastifyInstance, kc: KubeConfig): void {
  app.post<{ Params: { cluster: string }; Body: unknown }>(
    '/api/v1/clusters/:cluster/verify',
    { schema: { params: { type: 'object', properties: { cluster: NAME } }, body: VERIFY_ONE } },
    async (request, reply) => {
      const result = await verifyOn(kc, request.params.cluster, request.body);
      return reply.code(result.status).send(result);
    },
  );
  app.post<{ Body: { receiver: string } }>('/api/v1/verify', { schema: { body: VERIFY_PLACED } }, async (request, reply) => {
    const result = await verifyPlaced(kc, request.body.receiver);
    return reply.code(result.ok ? 200 : 502).send(result);
  });
  app.get<{ Querystring: HistoryParams }>('/api/v1/history', { schema: { querystring: HISTORY } }, async (request) => {
    const q = request.query;
    const query: HistoryQuery = { cluster: q.cluster, receiver: q.receiver, channel: q.channel, outcome: q.outcome, since: q.since, cursor: q.cursor, limit: q.limit ? Number(q.limit) : 100 };
    return historyAcross(kc, query);
  });
}
