/**
 * The main thread's side of the pipeline worker: starts it, forwards configuration and "new work"
 * nudges, asks for its metrics and depth, restarts it if it dies (its work is in the store), and
 * stops it cleanly.
 */
import { Worker } from 'node:worker_threads';
import type { ConfigInput } from '../config/input.js';
import type { Depth } from '../store/outbox.js';
import type { FromWorker, ToWorker, WorkerData } from './protocol.js';

/**
 * Built, the worker is worker.js next to this file. From sources (tests, tsx) it is worker.ts, and
 * worker threads do not inherit tsx's loader, so a small bootstrap registers it first.
 */
function spawnWorker(workerData: WorkerData): Worker {
  // The pipeline's heap is bounded on its own: worker threads do not take the process's V8 flags.
  const resourceLimits = { maxOldGenerationSizeMb: workerData.heapMb, maxYoungGenerationSizeMb: 4 };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url), { workerData, resourceLimits });
  const entry = new URL('./worker.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(bootstrap, { eval: true, workerData, resourceLimits });
}

export class PipelineWorker {
  private worker: Worker | undefined;
  private config: ConfigInput | undefined;
  private nextId = 0;
  private readonly waiting = new Map<number, (value: unknown) => void>();
  private stopping = false;
  private nudged = false;
  private started = false;

  /** True once the worker runs and has taken the configuration: the agent can deliver. */
  get ready(): boolean {
    return this.started && this.config !== undefined;
  }

  constructor(
    private readonly data: WorkerData,
    private readonly log: (entry: Record<string, unknown>) => void,
  ) {}

  start(): void {
    const worker = spawnWorker(this.data);
    this.worker = worker;
    worker.on('message', (m: FromWorker) => this.onMessage(m));
    worker.on('error', (err) => this.log({ msg: 'pipeline worker failed', error: err.message }));
    worker.on('exit', (code) => {
      this.started = false;
      if (this.stopping) return;
      this.log({ msg: 'pipeline worker exited; restarting it', code });
      setTimeout(() => this.start(), 1000).unref();
    });
    if (this.config) this.post({ type: 'config', config: this.config });
  }

  setConfig(config: ConfigInput): void {
    this.config = config;
    this.post({ type: 'config', config });
  }

  /** New work is in the inbox. At most one nudge per event-loop turn crosses the thread boundary. */
  accepted(): void {
    if (this.nudged) return;
    this.nudged = true;
    setImmediate(() => {
      this.nudged = false;
      this.post({ type: 'accepted' });
    });
  }

  metricsJson(): Promise<unknown> {
    return this.ask((id) => ({ type: 'metrics', id }));
  }

  depth(): Promise<Depth> {
    return this.ask((id) => ({ type: 'depth', id })) as Promise<Depth>;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    this.post({ type: 'stop' });
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    await worker.terminate();
  }

  private ask(build: (id: number) => ToWorker): Promise<unknown> {
    const id = ++this.nextId;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.post(build(id));
      // A worker that is restarting answers nothing; do not hang a /metrics scrape on it.
      setTimeout(() => {
        if (this.waiting.delete(id)) resolve(undefined);
      }, 2000).unref();
    });
  }

  private post(message: ToWorker): void {
    this.worker?.postMessage(message);
  }

  private onMessage(m: FromWorker): void {
    if (m.type === 'ready') this.started = true;
    else if (m.type === 'log') this.log(m.entry);
    else if (m.type === 'metrics' || m.type === 'depth') {
      const resolve = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      resolve?.(m.type === 'metrics' ? m.json : m.depth);
    }
  }
}
