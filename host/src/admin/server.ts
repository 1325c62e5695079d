/**
 * The host's HTTP API (fastify): health, Prometheus metrics, and read-only admin views — the
 * members and their health, and the propagation matrix. Every replica serves it (a standby reads
 * the same objects from the API server), so it works whichever replica leads.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { KubeConfig } from '@kubernetes/client-node';
import { GROUP, KINDS, PROPAGATED_KINDS, VERSION, type MemberCluster, type PropagatedStatus } from '@herald/shared';
import { rawRequest } from '@herald/shared/k8s';
import { clusterView, matrixRow } from './views.js';

export interface AdminOptions {
  kc: KubeConfig;
  metrics: () => Promise<{ contentType: string; text: string }>;
  isLeader: () => boolean;
  logLevel?: string;
}

const plural = (kind: string): string => KINDS.find((k) => k.kind === kind)?.plural ?? `${kind.toLowerCase()}s`;

async function list<T>(kc: KubeConfig, kind: string): Promise<T[]> {
  const text = await rawRequest(kc, 'GET', `/apis/${GROUP}/${VERSION}/${plural(kind)}`, { timeoutMs: 10_000 });
  return (JSON.parse(text) as { items: T[] }).items;
}

export function buildAdmin(opts: AdminOptions): FastifyInstance {
  const app = Fastify({ logger: { level: opts.logLevel ?? 'info' } });
  app.get('/healthz', () => ({ ok: true }));
  app.get('/readyz', () => ({ ok: true, leader: opts.isLeader() }));
  app.get('/metrics', async (_req, reply) => {
    const { contentType, text } = await opts.metrics();
    return reply.type(contentType).send(text);
  });
  app.get('/api/v1/clusters', async () => ({ clusters: (await list<MemberCluster>(opts.kc, 'MemberCluster')).map(clusterView) }));
  app.get('/api/v1/propagation', async () => {
    const rows = await Promise.all(
      PROPAGATED_KINDS.map(async (kind) =>
        (await list<{ metadata: { name: string }; status?: PropagatedStatus }>(opts.kc, kind)).map((o) => matrixRow({ ...o, kind })),
      ),
    );
    return { objects: rows.flat() };
  });
  app.setErrorHandler((err: Error, _req, reply) => {
    // The API server's own message says what failed; nothing here holds a secret.
    void reply.code(502).send({ error: `cannot read from the host API server: ${err.message}` });
  });
  return app;
}
