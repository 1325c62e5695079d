/**
 * The host's HTTP API (fastify): health, Prometheus metrics, admin views (the members and their
 * health, the propagation matrix), and what the host asks members' agents in an admin's name
 * (test-send, delivery history across members). Every replica serves it (a standby reads the
 * same objects from the API server), so it works whichever replica leads. The admin routes (and
 * /metrics, when protected) sit in a scope whose hook authenticates the caller for the route the
 * router matched, before any body is read: a static admin token, or a Kubernetes identity allowed
 * what the route needs (see permissions.ts).
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { createLogs, requestFields, requestLevel, type LogLevel, type Logger } from '@herald/shared/log';
import { authHook, type Authorizer, type Permission } from '@herald/shared/auth';
import type { KubeConfig } from '@kubernetes/client-node';
import { GROUP, KINDS, PROPAGATED_KINDS, VERSION, type MemberCluster, type PropagatedStatus } from '@herald/shared';
import { rawRequest } from '@herald/shared/k8s';
import { adminPermission, metricsPermission } from './permissions.js';
import { memberRoutes } from './member-routes.js';
import { jsonParser } from './json-parser.js';
import { clusterView, matrixRow } from './views.js';

export interface AdminOptions {
  kc: KubeConfig;
  metrics: () => Promise<{ contentType: string; text: string }>;
  isLeader: () => boolean;
  /** The host's logger (component `host`); without one, JSON on stdout at logLevel. */
  logger?: Logger;
  logLevel?: LogLevel;
  /** Who may call the admin routes (and /metrics when protected). */
  auth: Authorizer;
  /** The host's namespace, named by the metrics SubjectAccessReview. */
  namespace: string;
  protectMetrics?: boolean;
}

/** The largest request body: a verify request with a receiver and config inline is a few KB. */
const BODY_LIMIT = 256 * 1024;

const plural = (kind: string): string => KINDS.find((k) => k.kind === kind)?.plural ?? `${kind.toLowerCase()}s`;

async function list<T>(kc: KubeConfig, kind: string): Promise<T[]> {
  const text = await rawRequest(kc, 'GET', `/apis/${GROUP}/${VERSION}/${plural(kind)}`, { timeoutMs: 10_000 });
  return (JSON.parse(text) as { items: T[] }).items;
}

export function buildAdmin(opts: AdminOptions): FastifyInstance {
  // Widened to fastify's logger type, so the app keeps fastify's default generics.
  const logger: FastifyBaseLogger = opts.logger ?? createLogs({ level: opts.logLevel ?? 'info', format: 'json' })('host');
  // One line per request instead of fastify's two; probes and scrapes at debug.
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    requestTimeout: 60_000,
    connectionTimeout: 120_000,
    // A field the schema does not know is an error, not silently dropped; types are not coerced.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
  });
  app.addHook('onResponse', (request, reply, done) => {
    const fields = requestFields({ request, reply });
    request.log[requestLevel(fields.path)](fields, 'request answered');
    done();
  });
  // No body is read outside the guarded scopes: none can be sent to make the host parse it.
  app.removeAllContentTypeParsers();
  const error = (status: number, reason: string, message: string) => ({ status, error: reason, message });
  /** Routes whose every request needs `permission(route)`, checked on the route the router matched. */
  const guarded = (permission: (request: FastifyRequest) => Permission | undefined, routes: (scope: FastifyInstance) => void, parse = false): void => {
    void app.register((scope, _opts, done) => {
      scope.addHook(
        'onRequest',
        authHook({
          auth: opts.auth,
          permission: (request) => permission(request as FastifyRequest),
          body: error,
          refused: (request, verdict) => app.log.warn({ method: request.method, path: (request as FastifyRequest).routeOptions.url, status: verdict.status }, `refused: ${verdict.message}`),
        }),
      );
      // Encapsulated: the parser exists only here, behind the hook (onRequest runs before it).
      if (parse) scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: BODY_LIMIT }, jsonParser);
      routes(scope);
      done();
    });
  };
  app.get('/healthz', () => ({ ok: true }));
  app.get('/readyz', () => ({ ok: true, leader: opts.isLeader() }));
  const metrics = (scope: FastifyInstance): void => {
    scope.get('/metrics', async (_req, reply) => {
      const { contentType, text } = await opts.metrics();
      return reply.type(contentType).send(text);
    });
  };
  if (opts.protectMetrics) guarded(() => metricsPermission(opts.namespace), metrics);
  else metrics(app);
  guarded(
    (request) => adminPermission(request),
    (scope) => {
      scope.get('/api/v1/clusters', async () => ({ clusters: (await list<MemberCluster>(opts.kc, 'MemberCluster')).map(clusterView) }));
      scope.get('/api/v1/propagation', async () => {
        const rows = await Promise.all(
          PROPAGATED_KINDS.map(async (kind) =>
            (await list<{ metadata: { name: string }; status?: PropagatedStatus }>(opts.kc, kind)).map((o) => matrixRow({ ...o, kind })),
          ),
        );
        return { objects: rows.flat() };
      });
      memberRoutes(scope, opts.kc);
    },
    true,
  );
  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    const status = err.statusCode ?? 0;
    if (status >= 400 && status < 500) return void reply.code(status).send(error(status, 'bad_request', err.message));
    // The API server's own message says what failed; nothing here holds a secret.
    void reply.code(502).send(error(502, 'upstream', `cannot read from the host API server: ${err.message}`));
  });
  return app;
}
