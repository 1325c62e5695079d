/**
 * An agent: the store, the current configuration, the pipeline and the HTTP API, wired together.
 * `Agent.start()` resumes work a previous run left and listens; `stop()` finishes cleanly.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Channel } from '@herald/shared';
import { buildApp } from './api/app.js';
import { buildSnapshot, type Snapshot } from './config/snapshot.js';
import { createMetrics, type Metrics } from './metrics.js';
import type { Notifier, Renderer } from './notify/notifier.js';
import { createNotifiers } from './notify/registry.js';
import { Pipeline } from './pipeline/pipeline.js';
import { Outbox } from './store/outbox.js';
import { openDb, type Db } from './store/schema.js';
import { createRenderer } from './template/index.js';

export interface AgentOptions {
  dataDir: string;
  port?: number;
  host?: string;
  token?: string;
  durability?: 'normal' | 'full';
  notifiers?: Partial<Record<Channel, Notifier>>;
  logLevel?: string;
  bodyLimit?: number;
  metrics?: Metrics;
}

export class Agent {
  readonly metrics: Metrics;
  readonly outbox: Outbox;
  readonly app: FastifyInstance;
  readonly pipeline: Pipeline;
  private readonly db: Db;
  private current: Snapshot = buildSnapshot({});
  private loaded = false;
  private readonly renderers = new WeakMap<Snapshot, Renderer>();

  constructor(private readonly opts: AgentOptions) {
    mkdirSync(opts.dataDir, { recursive: true });
    this.db = openDb({ path: join(opts.dataDir, 'herald.db'), durability: opts.durability });
    this.outbox = new Outbox(this.db);
    this.metrics = opts.metrics ?? createMetrics();
    const notifiers = opts.notifiers ?? createNotifiers();
    const snapshot = (): Snapshot => this.current;
    const renderer = (snap: Snapshot): Renderer => this.rendererFor(snap);
    this.pipeline = new Pipeline({
      outbox: this.outbox,
      snapshot,
      notifiers,
      renderer,
      metrics: this.metrics,
      log: (entry) => this.app.log.warn(entry),
    });
    this.app = buildApp({
      outbox: this.outbox,
      snapshot,
      notifiers,
      renderer,
      metrics: this.metrics,
      token: opts.token,
      bodyLimit: opts.bodyLimit,
      logLevel: opts.logLevel,
      now: () => Date.now(),
      onAccepted: (id, parsed) => this.pipeline.accepted(id, parsed),
      ready: () => this.loaded,
      depth: () => this.pipeline.depth(),
    });
  }

  get snapshot(): Snapshot {
    return this.current;
  }

  /** Swaps in a new configuration; problems are logged, each with the object and field at fault. */
  setSnapshot(snap: Snapshot): void {
    this.current = snap;
    this.loaded = true;
    for (const p of snap.problems) this.app.log.warn({ kind: p.kind, name: p.name }, `skipped ${p.kind} ${p.name}: ${p.message}`);
    for (const p of this.rendererFor(snap).validate?.() ?? []) this.app.log.warn({ template: p.template }, `template problem: ${p.message}`);
  }

  /** Resumes pending work and listens; resolves with the address. */
  async start(): Promise<string> {
    this.pipeline.start();
    return this.app.listen({ port: this.opts.port ?? 19093, host: this.opts.host ?? '0.0.0.0' });
  }

  async stop(): Promise<void> {
    await this.app.close();
    await this.pipeline.stop();
    // Only loaded if an HTTP channel was used; nothing to close otherwise.
    await (await import('./notify/http.js')).closeDispatchers();
    this.db.close();
  }

  private rendererFor(snap: Snapshot): Renderer & { validate?: () => { template?: string; message: string }[] } {
    let r = this.renderers.get(snap);
    if (!r) {
      r = createRenderer({ templates: snap.templates, language: snap.settings.language });
      this.renderers.set(snap, r);
    }
    return r;
  }
}
