/**
 * The agent's HTTP API as a fastify app (app-as-plugin: main.ts owns the process). Every route
 * has a schema; every error answer has the same shape. Routes live in scopes by role, each with
 * an onRequest hook that authenticates the caller for the route the router matched (so no
 * spelling of the path gets past it) before the body is read; only health and, unless protected,
 * metrics are open.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Channel } from '@herald/shared';
import { authHook, type Authorizer } from '@herald/shared/auth';
import { createLogs, type LogLevel, type Logger } from '@herald/shared/log';
import type { Snapshot } from '../config/snapshot.js';
import { DEFAULT_JSON_BOUNDS, type JsonBounds } from '@herald/shared/json-bounds';
import type { Metrics } from '../metrics.js';
import type { EgressPolicy } from '../notify/egress.js';
import type { Notifier, Renderer } from '../notify/notifier.js';
import type { Outbox } from '../store/outbox.js';
import { auditRoutes } from './audit.js';
import { deadLetterRoutes } from './dead-letters.js';
import { apiError, errorHandler } from './errors.js';
import { ingestRoutes } from './ingest.js';
import { jsonBody } from './json-body.js';
import { historyRoutes, openRoutes, probeLine } from './ops.js';
import { agentPermission, type Role } from './permissions.js';
import { serverLimits, type ServerLimits } from './server-limits.js';
import { verifyRoutes } from './verify.js';

export interface AppDeps {
  outbox: Outbox;
  snapshot: () => Snapshot;
  notifiers: Partial<Record<Channel, Notifier>>;
  renderer: (snap: Snapshot) => Renderer;
  /** Work was committed to the inbox: wake the pipeline. */
  onAccepted: () => void;
  now: () => number;
  metrics?: Metrics;
  /** Who may call what: static token files, Kubernetes reviews, and roles open to anyone. */
  auth: Authorizer;
  /** The agent's namespace: where SubjectAccessReviews ask about herald-agent. */
  namespace: string;
  /**
   * The outbound policy for receivers given inline to verify, from the Settings one; default
   * inlinePolicy (loopback and link-local denied). Tests whose fake providers listen on loopback
   * pass their own.
   */
  inlineEgress?: (settings: EgressPolicy) => EgressPolicy;
  /** Whether /metrics needs the metrics role (else it is open). */
  protectMetrics?: boolean;
  /** Largest accepted body in bytes; default 8 MiB. */
  bodyLimit?: number;
  /** Nesting and value bounds of JSON bodies, checked before parsing. */
  jsonBounds?: JsonBounds;
  /** Timeouts and the connection cap (see server-limits.ts). */
  limits?: Partial<ServerLimits>;
  ready?: () => boolean;
  depth?: () => unknown;
  /** The /metrics text, when metrics come from more than this registry (the pipeline worker's too). */
  metricsText?: () => Promise<{ contentType: string; text: string }>;
  /** The API's logger (the agent's, component `agent`); without one, JSON on stdout at logLevel. */
  logger?: Logger;
  logLevel?: LogLevel;
  /** Serve HTTPS with this certificate (PEM): the API server sends its audit webhook token only over TLS. */
  tls?: { cert: string; key: string };
}

/** At most one log line per second about refused callers: a scanner must not flood the log. */
function refusalLog(app: FastifyInstance, clock: () => number): (request: FastifyRequest, status: number, message: string) => void {
  let last = -Infinity;
  let skipped = 0;
  return (request, status, message) => {
    const now = clock();
    if (now - last < 1000) {
      skipped++;
      return;
    }
    last = now;
    const path = request.url.split('?')[0];
    app.log.warn({ method: request.method, path, status, remote: request.ip, ...(skipped ? { skipped } : {}) }, `refused: ${message}`);
    skipped = 0;
  };
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const limits = serverLimits(deps.limits);
  // Widened to fastify's logger type, so the app keeps fastify's default generics.
  const logger: FastifyBaseLogger = deps.logger ?? createLogs({ level: deps.logLevel ?? 'info', format: 'json' })('agent');
  const app = Fastify({
    // The https server has the same request API; fastify's types only tell them apart by generics.
    ...(deps.tls ? { https: { ...deps.tls, ...limits.node } } : { http: limits.node }),
    ...limits.fastify,
    loggerInstance: logger,
    // One log line per request would cost more than the request at ingest rates; errors are logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimit ?? 8 * 1024 * 1024,
    // Strict types: a label value of 1 is an error, not "1". Query strings are typed as strings.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
  });
  app.addHook('onListen', () => {
    app.server.maxConnections = limits.maxConnections;
  });
  const bounds = deps.jsonBounds ?? DEFAULT_JSON_BOUNDS;
  // No body is read outside the authenticated scopes: the open routes and unmatched paths have no
  // parser (a 404 or 415, the body unread), so nobody without a token makes the agent parse anything.
  app.removeAllContentTypeParsers();
  const logRefusal = refusalLog(app, deps.now);
  app.setErrorHandler(errorHandler(deps.metrics, (request, status, message) => logRefusal(request, status, message)));
  app.setNotFoundHandler((request, reply) => void reply.status(404).send(apiError(404, 'not_found', `no route ${request.method} ${request.url.split('?')[0]}`)));

  /** A scope whose every route needs `role`; the hook sees the route the router matched. */
  const scoped = (role: Role, routes: (scope: FastifyInstance) => void): void => {
    void app.register((scope, _opts, done) => {
      scope.addHook(
        'onRequest',
        authHook({
          auth: deps.auth,
          permission: (request) => agentPermission(role, request.method, deps.namespace),
          body: (status, reason, message) => apiError(status, reason, message),
          refused: (request, verdict) => {
            deps.metrics?.rejected.inc({ reason: verdict.reason });
            logRefusal(request as FastifyRequest, verdict.status, verdict.message);
          },
        }),
      );
      // Encapsulated: the parser exists only here, behind the hook (onRequest runs before it).
      scope.addContentTypeParser('application/json', { parseAs: 'string' }, jsonBody(bounds));
      routes(scope);
      done();
    });
  };
  scoped('ingest', (scope) => {
    ingestRoutes(scope, deps);
    auditRoutes(scope, deps);
  });
  scoped('admin', (scope) => {
    verifyRoutes(scope, deps);
    historyRoutes(scope, deps);
    deadLetterRoutes(scope, deps);
  });
  openRoutes(app, deps);
  if (deps.protectMetrics) scoped('metrics', (scope) => metricsRoute(scope, deps));
  else metricsRoute(app, deps);
  return app;
}

function metricsRoute(app: FastifyInstance, deps: AppDeps): void {
  app.get('/metrics', { onResponse: probeLine }, async (_request, reply) => {
    deps.metrics?.deadLetters.set(deps.outbox.deadLetterCount());
    if (deps.metricsText) {
      const { contentType, text } = await deps.metricsText();
      return reply.type(contentType).send(text);
    }
    deps.depth?.();
    return reply.type(deps.metrics?.registry.contentType ?? 'text/plain').send(await (deps.metrics?.registry.metrics() ?? ''));
  });
}
