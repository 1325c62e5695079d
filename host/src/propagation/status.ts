/**
 * Status of a propagated host object (pure): one entry per member it is placed on, a summary for
 * the CLUSTERS column, and a `Propagated` condition that is True only when every entry is Applied.
 */
import { condition, isFailing, sumDeliveryHealth, type ClusterStatus, type Condition, type MemberCluster, type MemberClusterStatus, type PropagatedStatus } from '@herald/shared';
import type { AgentHealth } from './agent-health.js';

function propagatedCondition(entries: ClusterStatus[], generation: number | undefined, previous: Condition | undefined, now: string): Condition {
  const bad = entries.filter((e) => e.state !== 'Applied');
  const applied = entries.length - bad.length;
  const ok = bad.length === 0;
  const message = ok
    ? `applied on ${applied} member${applied === 1 ? '' : 's'}`
    : bad.map((e) => `${e.name}: ${e.state}${e.message ? ` (${e.message})` : ''}`).join('; ').slice(0, 4000);
  const observed = generation !== undefined ? { observedGeneration: generation } : {};
  return condition({ type: 'Propagated', status: ok ? 'True' : 'False', reason: ok ? 'Applied' : (bad[0]?.state ?? 'Pending'), message, ...observed }, previous, now);
}

/**
 * A Receiver's Delivering condition (pure): False while sends fail on any member that reports
 * them (naming each with its last error, which the agent redacted), True while they succeed,
 * Unknown while no member's agent reports any.
 */
export function deliveringCondition(entries: readonly ClusterStatus[], previous: Condition | undefined, now: string): Condition {
  const reporting = entries.filter((e) => e.delivery !== undefined);
  const failing = reporting.filter((e) => e.delivery && isFailing(e.delivery));
  if (reporting.length === 0) return condition({ type: 'Delivering', status: 'Unknown', reason: 'NoReports', message: 'no member has reported deliveries yet' }, previous, now);
  if (failing.length === 0) {
    const n = reporting.length;
    return condition({ type: 'Delivering', status: 'True', reason: 'Delivering', message: `sends succeed on ${n} member${n === 1 ? '' : 's'}` }, previous, now);
  }
  const message = failing.map((e) => `${e.name}: ${e.delivery?.lastError ?? 'failing'}`).join('; ').slice(0, 4000);
  return condition({ type: 'Delivering', status: 'False', reason: 'SendsFailing', message }, previous, now);
}

export function propagatedStatus(args: { entries: ClusterStatus[]; generation: number | undefined; previous?: PropagatedStatus; now: string; kind?: string }): PropagatedStatus {
  const entries = [...args.entries].sort((a, b) => a.name.localeCompare(b.name));
  const applied = entries.filter((e) => e.state === 'Applied').length;
  const previous = args.previous?.conditions?.find((c) => c.type === 'Propagated');
  const propagated = propagatedCondition(entries, args.generation, previous, args.now);
  const delivering = args.kind === 'Receiver' ? [deliveringCondition(entries, args.previous?.conditions?.find((c) => c.type === 'Delivering'), args.now)] : [];
  // Keep each entry's transition time while its state holds, so status only changes when something does.
  const before = new Map((args.previous?.clusters ?? []).map((c) => [c.name, c]));
  const clusters = entries.map((e) => {
    const was = before.get(e.name);
    return { ...e, lastTransitionTime: was?.state === e.state && was.lastTransitionTime ? was.lastTransitionTime : args.now };
  });
  const reported = entries.flatMap((e) => (e.delivery ? [{ where: e.name, health: e.delivery }] : []));
  return {
    ...(args.generation !== undefined ? { observedGeneration: args.generation } : {}),
    conditions: [propagated, ...delivering],
    clusters,
    summary: `${applied}/${entries.length}`,
    // A Receiver's deliveries across the members whose agents report them.
    ...(reported.length > 0 ? { delivery: sumDeliveryHealth(reported) } : {}),
  };
}

export interface MemberHealth {
  ready: boolean;
  message?: string;
  version?: string;
  synced?: boolean;
  /** What the agent's heartbeat Lease says; undefined when the member could not be read. */
  agent?: AgentHealth;
}

/** A MemberCluster's Ready and Synced conditions for what its last reconcile found. */
export function memberConditions(previous: Condition[] | undefined, h: MemberHealth, generation: number | undefined, now: string): Condition[] {
  const was = (type: string): Condition | undefined => previous?.find((c) => c.type === type);
  const observed = generation !== undefined ? { observedGeneration: generation } : {};
  const ready = h.ready
    ? { status: 'True' as const, reason: 'Reachable', message: 'the member API server answers' }
    : { status: 'False' as const, reason: 'Unreachable', message: h.message ?? 'unreachable' };
  const synced = h.synced
    ? { status: 'True' as const, reason: 'Applied', message: 'every placed object is applied' }
    : { status: 'False' as const, reason: h.ready ? 'ApplyFailed' : 'ClusterNotReady', message: 'see status.clusters of the host objects' };
  const agent = h.agent ?? { status: 'Unknown' as const, reason: 'ClusterNotReady', message: 'the member API server cannot be read' };
  return [
    condition({ type: 'Ready', ...ready, ...observed }, was('Ready'), now),
    condition({ type: 'AgentReady', status: agent.status, reason: agent.reason, message: agent.message, ...observed }, was('AgentReady'), now),
    condition({ type: 'Synced', ...synced, ...observed }, was('Synced'), now),
  ];
}

const withoutTimes = <T extends { lastTransitionTime?: string }>(xs: T[] | undefined): Omit<T, 'lastTransitionTime'>[] | undefined =>
  xs?.map(({ lastTransitionTime: _t, ...rest }) => rest);

/** Whether two condition lists say the same, ignoring transition times. */
function sameConditions(a: Condition[] | undefined, b: Condition[]): boolean {
  return JSON.stringify(withoutTimes(a)) === JSON.stringify(withoutTimes(b));
}

/** Whether two statuses say the same, ignoring transition times. */
export function sameStatus(a: PropagatedStatus | undefined, b: PropagatedStatus): boolean {
  const strip = (s: PropagatedStatus | undefined): unknown => s && { ...s, conditions: withoutTimes(s.conditions), clusters: withoutTimes(s.clusters) };
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

/**
 * A MemberCluster's next status for what its last reconcile found, or undefined when it would say
 * the same as now. The version, heartbeat and delivery totals keep their last known values while
 * the member cannot be read.
 */
export function nextMemberStatus(mc: MemberCluster, h: MemberHealth, now: string): MemberClusterStatus | undefined {
  const was = mc.status ?? {};
  const conditions = memberConditions(was.conditions, h, mc.metadata.generation, now);
  const known = {
    kubernetesVersion: h.version ?? was.kubernetesVersion,
    lastHeartbeatTime: h.agent?.heartbeat ?? was.lastHeartbeatTime,
    delivery: h.agent?.delivery ?? was.delivery,
  };
  const same = sameConditions(was.conditions, conditions) && JSON.stringify([was.kubernetesVersion, was.lastHeartbeatTime, was.delivery]) === JSON.stringify(Object.values(known));
  if (same) return undefined;
  const present = Object.fromEntries(Object.entries(known).filter(([, v]) => v !== undefined));
  return { ...present, conditions, ...(mc.metadata.generation !== undefined ? { observedGeneration: mc.metadata.generation } : {}) };
}
