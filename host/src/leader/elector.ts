/**
 * Leader election on a coordination.k8s.io Lease, so two host replicas can run and only one
 * propagates. The leader renews every `retryMs`; a standby checks as often and takes over once the
 * lease has lapsed (or was released). A leader that cannot renew within the renew deadline stops
 * leading before its lease can lapse, so two leaders never overlap.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeError, microTime, rawRequest } from '@herald/shared/k8s';
import { decide, nextRecord, released, type LeaseRecord, type Observed } from './decide.js';

export interface ElectorOptions {
  kc: KubeConfig;
  namespace: string;
  name: string;
  identity: string;
  /** Lease duration; default 15 s (client-go's). */
  durationSec?: number;
  /** Period of renewals and of checks by standbys; default 2 s. */
  retryMs?: number;
  /** A leader that has not renewed for this long steps down; default 2/3 of the duration. */
  renewDeadlineMs?: number;
  log: (entry: Record<string, unknown>) => void;
  now?: () => number;
}

export interface LeadershipCallbacks {
  onStartedLeading: () => void | Promise<void>;
  onStoppedLeading: () => void | Promise<void>;
}

interface LeaseObject {
  metadata: { resourceVersion?: string };
  spec?: LeaseRecord;
}

export class LeaderElector {
  private leading = false;
  private observed: Observed | undefined;
  private lastRenew = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private tickRunning: Promise<void> | undefined;

  constructor(private readonly opts: ElectorOptions) {}

  get isLeader(): boolean {
    return this.leading;
  }

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${this.opts.namespace}/leases`;
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /** Campaigns until stop(); the callbacks say when this replica starts and stops leading. */
  start(callbacks: LeadershipCallbacks): void {
    const loop = (): void => {
      this.tickRunning = this.tick(callbacks)
        .catch((err: unknown) => this.opts.log({ msg: 'leader election failed; retrying', error: (err as Error).message }))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(loop, this.opts.retryMs ?? 2000);
        });
    };
    loop();
  }

  /** Stops campaigning; a leader releases the Lease so a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.tickRunning;
    if (!this.leading) return;
    this.leading = false;
    const lease = await this.read().catch(() => undefined);
    if (lease?.spec?.holderIdentity !== this.opts.identity) return;
    await this.write('PUT', lease, released(lease.spec, microTime(new Date(this.now())))).catch(() => undefined);
  }

  private async read(): Promise<LeaseObject | undefined> {
    try {
      return JSON.parse(await rawRequest(this.opts.kc, 'GET', `${this.path}/${this.opts.name}`, { timeoutMs: 5000 })) as LeaseObject;
    } catch (err) {
      if (err instanceof KubeError && err.status === 404) return undefined;
      throw err;
    }
  }

  private async write(method: 'POST' | 'PUT', previous: LeaseObject | undefined, spec: LeaseRecord): Promise<void> {
    const metadata = { name: this.opts.name, namespace: this.opts.namespace, ...(previous?.metadata.resourceVersion ? { resourceVersion: previous.metadata.resourceVersion } : {}) };
    const body = JSON.stringify({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata, spec });
    await rawRequest(this.opts.kc, method, method === 'POST' ? this.path : `${this.path}/${this.opts.name}`, { body, timeoutMs: 5000 });
  }

  private async tick(cb: LeadershipCallbacks): Promise<void> {
    const now = this.now();
    try {
      await this.campaign(cb, now);
    } finally {
      const deadline = this.opts.renewDeadlineMs ?? ((this.opts.durationSec ?? 15) * 2000) / 3;
      if (this.leading && this.now() - this.lastRenew > deadline) await this.lose(cb, 'could not renew the Lease within the renew deadline');
    }
  }

  private async campaign(cb: LeadershipCallbacks, now: number): Promise<void> {
    const lease = await this.read();
    const record = lease?.spec ?? {};
    this.observe(lease, now);
    const durationSec = this.opts.durationSec ?? 15;
    const decision = decide({ me: this.opts.identity, current: this.observed, now, defaultDurationSec: durationSec });
    if (decision === 'wait') {
      if (this.leading) await this.lose(cb, `the Lease is held by ${record.holderIdentity ?? '?'}`);
      return;
    }
    const spec = nextRecord({ me: this.opts.identity, decision, previous: lease?.spec, at: microTime(new Date(now)), durationSec });
    // A conflict means another replica wrote first: it is read again on the next tick.
    await this.write(decision === 'create' ? 'POST' : 'PUT', lease, spec);
    this.observed = { record: spec, seenAt: now };
    this.lastRenew = now;
    if (!this.leading) {
      this.leading = true;
      this.opts.log({ msg: `${this.opts.identity} leads (Lease ${this.opts.namespace}/${this.opts.name})` });
      await cb.onStartedLeading();
    }
  }

  /** Notes when the record was first seen as it is now: lapse is measured from then, on this clock. */
  private observe(lease: LeaseObject | undefined, now: number): void {
    if (!lease) this.observed = undefined;
    else if (JSON.stringify(this.observed?.record) !== JSON.stringify(lease.spec ?? {})) this.observed = { record: lease.spec ?? {}, seenAt: now };
  }

  private async lose(cb: LeadershipCallbacks, why: string): Promise<void> {
    this.leading = false;
    this.opts.log({ msg: `${this.opts.identity} stopped leading: ${why}` });
    await cb.onStoppedLeading();
  }
}
