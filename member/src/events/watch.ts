/**
 * A list-then-watch loop on events.k8s.io/v1 Events in one scope (a namespace, or all of them).
 * A watch that ends (server timeout, dropped connection, API-server restart) resumes from the last
 * resourceVersion seen, bookmarks included; one the server calls expired (410 Gone) or a failing
 * one relists after a backoff. Every list hands over the complete set, so the caller can tell
 * what it missed from what it already had.
 */
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { rawRequest } from '@herald/shared/k8s';
import type { KubeEvent } from '../ingest/kube-event.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface WatchHandlers {
  onList(items: KubeEvent[]): void;
  onChange(type: ChangeType, event: KubeEvent): void;
}

export interface EventWatchOptions {
  kc: KubeConfig;
  /** One namespace, or undefined for all namespaces. */
  namespace: string | undefined;
  handlers: WatchHandlers;
  log: (entry: Record<string, unknown>) => void;
  backoff?: { initialMs: number; maxMs: number };
  /** How long the server keeps one watch open before it ends it (and the loop resumes). */
  watchSeconds?: number;
}

/** Why a watch ended: the server closed it (resume), or the resourceVersion is too old (relist). */
type Ended = 'closed' | 'expired';

interface WatchLine {
  type?: string;
  object?: KubeEvent & { code?: number; kind?: string };
}

const isExpired = (err: unknown): boolean => (err as { statusCode?: number } | null)?.statusCode === 410;

export class EventWatch {
  private rv: string | undefined;
  private stopped = false;
  private abort: AbortController | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly opts: EventWatchOptions) {}

  private get path(): string {
    const ns = this.opts.namespace;
    return ns ? `/apis/events.k8s.io/v1/namespaces/${encodeURIComponent(ns)}/events` : '/apis/events.k8s.io/v1/events';
  }

  private get scope(): string {
    return this.opts.namespace ?? 'all namespaces';
  }

  /** Lists once (retrying until it works or the watch is stopped), then keeps watching in the background. */
  async start(): Promise<void> {
    await this.retrying(() => this.relist());
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort?.abort();
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      await this.retrying(async () => {
        if (this.rv === undefined) await this.relist();
        const began = Date.now();
        const ended = await this.watchOnce();
        if (ended === 'expired') {
          this.opts.log({ msg: `watch on Events in ${this.scope} expired (410 Gone); relisting` });
          this.rv = undefined;
        } else if (Date.now() - began < 1000) {
          // A server that ends every watch at once (shutting down, a proxy) must not make this spin.
          throw new Error('watch ended as soon as it began');
        }
      });
    }
  }

  /** Runs `step` until it succeeds, backing off exponentially between failures. */
  private async retrying(step: () => Promise<void>): Promise<void> {
    const { initialMs, maxMs } = this.opts.backoff ?? { initialMs: 500, maxMs: 5000 };
    for (let delay = initialMs; !this.stopped; delay = Math.min(delay * 2, maxMs)) {
      try {
        await step();
        return;
      } catch (err) {
        this.opts.log({ msg: `Events in ${this.scope}: ${(err as Error).message}; retrying in ${delay} ms` });
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, delay).unref();
        });
      }
    }
  }

  private async relist(): Promise<void> {
    const items: KubeEvent[] = [];
    let next: string | undefined;
    let rv = '';
    do {
      const query = new URLSearchParams({ limit: '500', ...(next ? { continue: next } : {}) });
      const page = JSON.parse(await rawRequest(this.opts.kc, 'GET', `${this.path}?${query.toString()}`, { timeoutMs: 60_000 })) as {
        items?: KubeEvent[];
        metadata?: { resourceVersion?: string; continue?: string };
      };
      items.push(...(page.items ?? []));
      rv = page.metadata?.resourceVersion ?? rv;
      next = page.metadata?.continue || undefined;
    } while (next && !this.stopped);
    this.opts.handlers.onList(items);
    this.rv = rv;
  }

  /** One watch from the last resourceVersion; resolves when it ends. */
  private watchOnce(): Promise<Ended> {
    return new Promise<Ended>((resolve, reject) => {
      let expired = false;
      const onLine = (type: string, object: WatchLine['object']): void => {
        if (!object) return;
        if (type === 'ERROR') {
          expired = object.code === 410;
          if (!expired) this.opts.log({ msg: `watch on Events in ${this.scope} reported an error`, code: object.code });
          this.abort?.abort();
          return;
        }
        const rv = object.metadata?.resourceVersion;
        if (rv) this.rv = rv;
        if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') this.opts.handlers.onChange(type, object);
      };
      const done = (err: unknown): void => {
        if (isExpired(err) || expired) resolve('expired');
        else if (err && !this.stopped && (err as Error).name !== 'AbortError') reject(err instanceof Error ? err : new Error(JSON.stringify(err)));
        else resolve('closed');
      };
      const params = { resourceVersion: this.rv, allowWatchBookmarks: true, timeoutSeconds: this.opts.watchSeconds ?? 300 };
      new Watch(this.opts.kc)
        .watch(this.path, params, onLine, done)
        .then((controller) => {
          this.abort = controller;
          if (this.stopped) controller.abort();
        })
        .catch(reject);
    });
  }
}
