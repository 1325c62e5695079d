/**
 * The host controller's Prometheus metrics, on a registry of its own. Per member: whether it
 * answers and whether its agent heartbeats (1/0, so "member down" is an alert rule away), when it
 * was last synced, how long a pass took, and the copies it could not apply.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface HostMetrics {
  registry: Registry;
  drift: Counter<'cluster' | 'kind' | 'how'>;
  /** Set by herald-host's leader election; propagation runs only where it is 1. */
  leader: Gauge;
  memberReady: Gauge<'cluster'>;
  agentReady: Gauge<'cluster'>;
  lastSync: Gauge<'cluster'>;
  syncSeconds: Histogram<'cluster'>;
  applyErrors: Counter<'cluster'>;
}

export function createHostMetrics(): HostMetrics {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    drift: new Counter({ name: 'herald_drift_repaired_total', help: 'Member copies found edited or deleted by hand, and restored.', labelNames: ['cluster', 'kind', 'how'], registers }),
    leader: new Gauge({ name: 'herald_host_leader', help: '1 while this replica leads and propagates.', registers }),
    memberReady: new Gauge({ name: 'herald_member_ready', help: '1 while the member API server answers the host, else 0.', labelNames: ['cluster'], registers }),
    agentReady: new Gauge({ name: 'herald_member_agent_ready', help: "1 while the member's agent heartbeats (its Lease is current), else 0.", labelNames: ['cluster'], registers }),
    lastSync: new Gauge({ name: 'herald_member_last_sync_timestamp_seconds', help: 'When the member was last brought to the desired set (Unix time).', labelNames: ['cluster'], registers }),
    syncSeconds: new Histogram({
      name: 'herald_member_sync_duration_seconds',
      help: 'How long a propagation pass to one member took, from its start to its statuses.',
      labelNames: ['cluster'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    applyErrors: new Counter({ name: 'herald_apply_errors_total', help: 'Copies a propagation pass could not apply on a member.', labelNames: ['cluster'], registers }),
  };
}

/** Drops a member's series once it is unregistered, so a removed member does not alert forever. */
export function forgetMember(m: HostMetrics, cluster: string): void {
  for (const g of [m.memberReady, m.agentReady, m.lastSync]) g.remove({ cluster });
}
