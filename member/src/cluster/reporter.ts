/**
 * The agent's reports to its own cluster: it renews the heartbeat Lease (the host's AgentReady
 * reads it) and writes each Receiver's delivery health into its status (the host copies that into
 * the host Receiver's status.clusters[]). Failures are logged once per distinct error and retried
 * on the next tick: reporting never affects delivery.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { GROUP, VERSION, type AgentScheme, type DeliveryHealth } from '@herald/shared';
import { applyObject, rawRequest } from '@herald/shared/k8s';
import type { TargetHealth } from '../store/outbox.js';
import { healthByReceiver, leaseFor, LEASE_NAMESPACE, sumHealth } from './report.js';

export interface AgentState {
  ready: boolean;
  health: ReadonlyMap<string, TargetHealth>;
  /** Receivers in the agent's configuration. */
  receivers: readonly string[];
}

export interface ReporterOptions {
  kc: KubeConfig;
  /** Who holds the Lease: the pod name in a cluster. */
  holder: string;
  state: () => AgentState;
  log: (entry: Record<string, unknown>) => void;
  now?: () => Date;
  /** Heartbeat period; default 10 s. */
  renewMs?: number;
  /** How long the Lease stays valid without renewal; default 40 s (Karmada's grace period). */
  durationSec?: number;
  /** Least time between two status writes of one Receiver; default 30 s. */
  statusEveryMs?: number;
  /** How the agent's API is served (told to the host in the Lease). */
  scheme: AgentScheme;
}

const FIELD_MANAGER = 'herald-agent';

export class Reporter {
  private timer: NodeJS.Timeout | undefined;
  private lastError = '';
  private readonly written = new Map<string, { json: string; at: number }>();
  private running: Promise<void> | undefined;

  constructor(private readonly opts: ReporterOptions) {}

  start(): void {
    const loop = (): void => {
      this.running = this.tick().finally(() => {
        this.running = undefined;
        if (this.timer !== undefined) this.timer = setTimeout(loop, this.opts.renewMs ?? 10_000).unref();
      });
    };
    this.timer = setTimeout(loop, 0).unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One heartbeat, and the Receiver statuses that are due. */
  async tick(): Promise<void> {
    const now = this.opts.now?.() ?? new Date();
    const state = this.opts.state();
    const lease = leaseFor({ holder: this.opts.holder, durationSec: this.opts.durationSec ?? 40, now, ready: state.ready, delivery: sumHealth(state.health), scheme: this.opts.scheme });
    try {
      await applyObject(this.opts.kc, lease, { fieldManager: FIELD_MANAGER });
      await this.writeReceivers(state, now.getTime());
      this.lastError = '';
    } catch (err) {
      this.complain(err);
    }
  }

  private complain(err: unknown): void {
    const message = (err as Error).message;
    if (message === this.lastError) return;
    this.lastError = message;
    const hint = / 404 |not ?found/i.test(message) ? ` (does the namespace ${LEASE_NAMESPACE} exist? heraldctl join creates it)` : '';
    this.opts.log({ msg: `cannot renew the heartbeat Lease or report delivery health${hint}`, error: message });
  }

  private async writeReceivers(state: AgentState, now: number): Promise<void> {
    const byReceiver = healthByReceiver(state.health);
    for (const name of state.receivers) {
      const delivery: DeliveryHealth | undefined = byReceiver.get(name);
      if (!delivery) continue;
      const json = JSON.stringify(delivery);
      const last = this.written.get(name);
      if (last && (last.json === json || now - last.at < (this.opts.statusEveryMs ?? 30_000))) continue;
      await rawRequest(this.opts.kc, 'PATCH', `/apis/${GROUP}/${VERSION}/receivers/${name}/status`, {
        contentType: 'application/merge-patch+json',
        body: JSON.stringify({ status: { delivery } }),
      });
      this.written.set(name, { json, at: now });
    }
  }
}
