/**
 * What the host's admin API shows (pure): each member with its health at a glance, and the
 * propagation matrix — every propagated object against every member, with its state there.
 */
import type { ClusterStatus, Condition, DeliveryHealth, MemberCluster, PropagatedStatus } from '@herald/shared';

export interface ClusterView {
  name: string;
  labels: Record<string, string>;
  ready: string;
  agentReady: string;
  synced: string;
  /** The first condition that is not True, to say what is wrong. */
  problem?: string;
  kubernetesVersion?: string;
  lastHeartbeatTime?: string;
  delivery?: DeliveryHealth;
}

const statusOf = (conditions: Condition[] | undefined, type: string): string => conditions?.find((c) => c.type === type)?.status ?? 'Unknown';

/** The status fields shown as they are, where present. */
function reportedOf(mc: MemberCluster): Pick<ClusterView, 'kubernetesVersion' | 'lastHeartbeatTime' | 'delivery'> {
  const { kubernetesVersion, lastHeartbeatTime, delivery } = mc.status ?? {};
  return { ...(kubernetesVersion ? { kubernetesVersion } : {}), ...(lastHeartbeatTime ? { lastHeartbeatTime } : {}), ...(delivery ? { delivery } : {}) };
}

export function clusterView(mc: MemberCluster): ClusterView {
  const conditions = mc.status?.conditions;
  const bad = conditions?.find((c) => c.status !== 'True');
  return {
    name: mc.metadata.name,
    labels: mc.metadata.labels ?? {},
    ready: statusOf(conditions, 'Ready'),
    agentReady: statusOf(conditions, 'AgentReady'),
    synced: statusOf(conditions, 'Synced'),
    ...(bad ? { problem: `${bad.type}: ${bad.message ?? bad.reason ?? ''}` } : {}),
    ...reportedOf(mc),
  };
}

export interface MatrixRow {
  kind: string;
  name: string;
  summary: string;
  /** Member name → state (Applied, ApplyFailed, ClusterNotReady, …); absent where not placed. */
  clusters: Record<string, string>;
  problems: string[];
}

export function matrixRow(o: { kind: string; metadata: { name: string }; status?: PropagatedStatus }): MatrixRow {
  const entries: ClusterStatus[] = o.status?.clusters ?? [];
  return {
    kind: o.kind,
    name: o.metadata.name,
    summary: o.status?.summary ?? '0/0',
    clusters: Object.fromEntries(entries.map((e) => [e.name, e.state])),
    problems: entries.filter((e) => e.state !== 'Applied' || e.message).map((e) => `${e.name}: ${e.state}${e.message ? ` (${e.message})` : ''}`),
  };
}
