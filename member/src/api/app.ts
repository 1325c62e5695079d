/**
 * The agent's HTTP API as a fastify app (app-as-plugin: main.ts owns the process). Every route
 * has a schema; every error answer has the same shape; with a token set, /api/v2/* needs it.
 */
import { timingSafeEqual } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import type { Channel } from '@herald/shared';
import type { Snapshot } from '../config/snapshot.js';
import type { Metrics } from '../metrics.js';
import type { Notifier, Renderer } from '../notify/notifier.js';
import type { Outbox } from '../store/outbox.js';
import { auditRoutes } from './audit.js';
import { apiError, errorHandler } from './errors.js';
import { ingestRoutes } from './ingest.js';
import { opsRoutes } from './ops.js';
import { verifyRoutes } from './verify.js';

export interface AppDeps {
  outbox: Outbox;
  snapshot: () => Snapshot;
  notifiers: Partial<Record<Channel, Notifier>>;
  renderer: (snap: Snapshot) => Renderer;
  /** Called after each commit with the inbox row id and the parsed body. */
  onAccepted: (inboxId: number, parsed: unknown) => void;
  now: () => number;
  metrics?: Metrics;
  /** When set, requests to /api/v2/* need `Authorization: Bearer <token>`. */
  token?: string;
  /** Largest accepted body in bytes; default 8 MiB. */
  bodyLimit?: number;
  ready?: () => boolean;
  depth?: () => unknown;
  /** The /metrics text, when metrics come from more than this registry (the pipeline worker's too). */
  metricsText?: () => Promise<{ contentType: string; text: string }>;
  logLevel?: string;
  /** Serve HTTPS with this certificate (PEM): the API server sends its audit webhook token only over TLS. */
  tls?: { cert: string; key: string };
}

const tokenMatches = (header: string | undefined, token: string): boolean => {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
};

export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    // The https server has the same request API; fastify's types only tell them apart by generics.
    ...(deps.tls ? { https: deps.tls } : {}),
    logger: { level: deps.logLevel ?? 'info' },
    // One log line per request would cost more than the request at ingest rates; errors are logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimit ?? 8 * 1024 * 1024,
    // Strict types: a label value of 1 is an error, not "1". Query strings are typed as strings.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
  });

  // Keep the raw text: it is what the outbox stores, and parsing it twice would cost throughput.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.length === 0) {
      done(Object.assign(new Error('request body is empty'), { statusCode: 400, code: 'FST_ERR_CTP_EMPTY_JSON_BODY' }), undefined);
      return;
    }
    try {
      // Refuses __proto__ and constructor.prototype keys (prototype poisoning), as fastify's own parser does.
      const parsed: unknown = secureJson.parse(text, null, { protoAction: 'error', constructorAction: 'error' });
      request.rawBody = text;
      done(null, parsed);
    } catch (err) {
      done(Object.assign(err as Error, { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' }), undefined);
    }
  });
  app.setErrorHandler(errorHandler(deps.metrics));
  app.setNotFoundHandler((request, reply) => void reply.status(404).send(apiError(404, 'not_found', `no route ${request.method} ${request.url.split('?')[0]}`)));
  if (deps.token) {
    const token = deps.token;
    app.addHook('onRequest', async (request, reply) => {
      if (!request.url.startsWith('/api/v2/') || tokenMatches(request.headers.authorization, token)) return;
      deps.metrics?.rejected.inc({ reason: 'unauthorized' });
      return reply.status(401).header('www-authenticate', 'Bearer').send(apiError(401, 'unauthorized', 'a valid bearer token is required'));
    });
  }
  ingestRoutes(app, deps);
  auditRoutes(app, deps);
  verifyRoutes(app, deps);
  opsRoutes(app, deps);
  return app;
}
