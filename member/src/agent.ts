/**
 * An agent: the store, the current configuration, the HTTP API on the main thread, and the
 * delivery pipeline on a worker thread (so ingest never waits behind routing or delivery).
 * `start()` resumes work a previous run left and listens; `stop()` finishes cleanly.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { AggregatorRegistry } from 'prom-client';
import type { Channel } from '@herald/shared';
import type { Authorizer } from '@herald/shared/auth';
import { createLogs, type LogFormat, type LogLevel } from '@herald/shared/log';
import { buildApp } from './api/app.js';
import type { ServerLimits } from './api/server-limits.js';
import type { JsonBounds } from '@herald/shared/json-bounds';
import { toSnapshotInput, type ConfigInput } from './config/objects.js';
import { buildSnapshot, type Problem, type Snapshot } from './config/snapshot.js';
import { createMetrics, type Metrics } from './metrics.js';
import type { Notifier, Renderer } from './notify/notifier.js';
import { createNotifiers } from './notify/registry.js';
import { PipelineWorker } from './pipeline/worker-handle.js';
import { Outbox } from './store/outbox.js';
import { openDb, type Db } from './store/schema.js';
import { rendererCache } from './template/cache.js';

export interface AgentOptions {
  dataDir: string;
  port?: number;
  host?: string;
  /** Who may call which route (see auth-setup.ts). */
  auth: Authorizer;
  /** The agent's namespace, for SubjectAccessReviews; default herald-system. */
  namespace?: string;
  protectMetrics?: boolean;
  jsonBounds?: JsonBounds;
  limits?: Partial<ServerLimits>;
  durability?: 'normal' | 'full';
  notifiers?: Partial<Record<Channel, Notifier>>;
  logLevel?: LogLevel;
  /** JSON lines (default) or text for people (see @herald/shared/log). */
  logFormat?: LogFormat;
  bodyLimit?: number;
  /** Serve HTTPS with this certificate and key (PEM). */
  tls?: { cert: string; key: string };
  /** Heap limit of the pipeline thread in MB; default 64. */
  pipelineHeapMb?: number;
}

export class Agent {
  readonly metrics: Metrics;
  readonly outbox: Outbox;
  readonly app: FastifyInstance;
  private readonly worker: PipelineWorker;
  /** The store's main-thread connection (the Events watch writes through it too). */
  readonly db: Db;
  private current: Snapshot = buildSnapshot({});
  private loaded = false;
  private readonly rendererFor = rendererCache();

  constructor(private readonly opts: AgentOptions) {
    mkdirSync(opts.dataDir, { recursive: true });
    const dbPath = join(opts.dataDir, 'herald.db');
    this.db = openDb({ path: dbPath, durability: opts.durability, checkpoints: false });
    this.outbox = new Outbox(this.db);
    this.metrics = createMetrics();
    const logs = createLogs({ level: opts.logLevel ?? 'info', format: opts.logFormat ?? 'json' });
    // What the pipeline thread reports (failed sends, dead letters, its own restarts) is a warning.
    const pipelineLog = logs('pipeline');
    this.worker = new PipelineWorker({ dbPath, durability: opts.durability ?? 'normal', heapMb: opts.pipelineHeapMb ?? 64 }, (entry) => pipelineLog.warn(entry));
    this.app = buildApp({
      outbox: this.outbox,
      snapshot: () => this.current,
      // The main thread sends only for /api/v2/verify and /api/v2/notifications.
      notifiers: opts.notifiers ?? createNotifiers(),
      renderer: (snap): Renderer => this.rendererFor(snap),
      metrics: this.metrics,
      auth: opts.auth,
      namespace: opts.namespace ?? 'herald-system',
      ...(opts.protectMetrics ? { protectMetrics: true } : {}),
      ...(opts.jsonBounds ? { jsonBounds: opts.jsonBounds } : {}),
      ...(opts.limits ? { limits: opts.limits } : {}),
      bodyLimit: opts.bodyLimit,
      logger: logs('agent'),
      tls: opts.tls,
      now: () => Date.now(),
      onAccepted: () => this.worker.accepted(),
      ready: () => this.ready,
      metricsText: () => this.metricsText(),
    });
  }

  /** Configuration loaded and the pipeline running (what /readyz answers). */
  get ready(): boolean {
    return this.loaded && this.worker.ready;
  }

  get snapshot(): Snapshot {
    return this.current;
  }

  /** Whether a configuration has been loaded (Rules included). */
  get configured(): boolean {
    return this.loaded;
  }

  /** Work was written to the store by another source than HTTP ingest: wake the pipeline. */
  enqueued(): void {
    this.worker.accepted();
  }

  /** Swaps in a new configuration everywhere; problems are logged with the object and field at fault. */
  setConfig(config: ConfigInput, problems: Problem[] = []): Snapshot {
    const snap = buildSnapshot(toSnapshotInput(config));
    this.current = snap;
    this.loaded = true;
    this.worker.setConfig(config);
    for (const p of [...problems, ...snap.problems]) this.app.log.warn({ kind: p.kind, name: p.name }, `skipped ${p.kind} ${p.name}: ${p.message}`);
    for (const p of this.rendererFor(snap).validate()) this.app.log.warn({ template: p.template }, `template problem: ${p.message}`);
    return snap;
  }

  /** Starts the pipeline (resuming what a previous run left) and listens; resolves with the address. */
  async start(): Promise<string> {
    this.worker.start();
    return this.app.listen({ port: this.opts.port ?? 19093, host: this.opts.host ?? '0.0.0.0' });
  }

  async stop(): Promise<void> {
    await this.app.close();
    await this.worker.stop();
    // Only loaded if an HTTP channel was used here; nothing to close otherwise.
    await (await import('./notify/http.js')).closeDispatchers();
    this.db.close();
  }

  private async metricsText(): Promise<{ contentType: string; text: string }> {
    const mine = await this.metrics.registry.getMetricsAsJSON();
    const theirs = (await this.worker.metricsJson()) as typeof mine | undefined;
    const merged = AggregatorRegistry.aggregate(theirs ? [mine, theirs] : [mine]);
    return { contentType: merged.contentType, text: await merged.metrics() };
  }
}
