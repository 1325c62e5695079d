/**
 * `heraldctl status`: the federation on one screen, from what the host controller wrote into
 * status: each member (reachable, agent heartbeat, synced, delivery totals), every placed object
 * that is not applied on a member (and policies naming clusters that are not registered), and
 * every receiver whose deliveries fail on a member. The
 * report is pure; the one read (the caller's own rights decide what it sees) is at the bottom.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { API_VERSION, isFailing, PLURALS, PROPAGATED_KINDS, type Condition, type DeliveryHealth, type MemberCluster, type PropagatedStatus, type PropagationPolicy } from '@herald/shared';
import { KubeError, rawRequest } from '@herald/shared/k8s';
import { table } from './output.js';

interface MemberRow {
  name: string;
  ready: string;
  agent: string;
  synced: string;
  version: string;
  /** Seconds since the agent's last heartbeat; undefined when it never beat. */
  heartbeatAgeSeconds?: number;
  delivery: DeliveryHealth;
  /** Conditions that are not True, as `Type=Status: message`. */
  problems: string[];
}

export interface ObjectProblem {
  object: string;
  member: string;
  state: string;
  message: string;
}

interface DeliveryProblem {
  receiver: string;
  member: string;
  delivery: DeliveryHealth;
}

export interface StatusReport {
  members: MemberRow[];
  objects: number;
  problems: ObjectProblem[];
  failing: DeliveryProblem[];
}

export interface PropagatedObject {
  kind: string;
  metadata: { name: string; generation?: number };
  status?: PropagatedStatus;
}

const conditionOf = (conditions: readonly Condition[] | undefined, type: string): Condition | undefined => conditions?.find((c) => c.type === type);

function memberRow(m: MemberCluster, now: Date): MemberRow {
  const conditions = m.status?.conditions;
  const at = m.status?.lastHeartbeatTime ? Date.parse(m.status.lastHeartbeatTime) : Number.NaN;
  const status = (type: string): string => conditionOf(conditions, type)?.status ?? 'Unknown';
  return {
    name: m.metadata.name,
    ready: m.spec.paused ? 'Paused' : status('Ready'),
    agent: status('AgentReady'),
    synced: status('Synced'),
    version: m.status?.kubernetesVersion ?? '-',
    ...(Number.isNaN(at) ? {} : { heartbeatAgeSeconds: Math.max(0, Math.round((now.getTime() - at) / 1000)) }),
    delivery: m.status?.delivery ?? {},
    problems: (conditions ?? []).filter((c) => c.status !== 'True').map((c) => `${c.type}=${c.status}: ${c.message ?? c.reason ?? ''}`),
  };
}

/** Cluster names a policy places on, excludes or overrides for that are not registered members. */
export function unknownClusters(policies: readonly PropagationPolicy[], members: readonly MemberCluster[]): ObjectProblem[] {
  const known = new Set(members.map((m) => m.metadata.name));
  return policies.flatMap((p) => {
    const named = [...(p.spec.placement?.clusterNames ?? []), ...(p.spec.placement?.exclude ?? []), ...(p.spec.overrides ?? []).flatMap((o) => o.clusterNames ?? [])];
    const unknown = [...new Set(named.filter((n) => !known.has(n)))].sort();
    return unknown.map((n) => ({ object: `PropagationPolicy/${p.metadata.name}`, member: n, state: 'UnknownCluster', message: `names cluster ${n}, which is not a registered MemberCluster` }));
  });
}

export function statusReport(members: readonly MemberCluster[], objects: readonly PropagatedObject[], now: Date, policies: readonly PropagationPolicy[] = []): StatusReport {
  const problems = objects.flatMap((o) =>
    (o.status?.clusters ?? []).filter((c) => c.state !== 'Applied').map((c) => ({ object: `${o.kind}/${o.metadata.name}`, member: c.name, state: c.state, message: c.message ?? '' })),
  );
  // An object the controller has not looked at yet (a new generation) is a problem too: it may be on no member.
  const unseen = objects
    .filter((o) => o.metadata.generation !== undefined && o.status?.observedGeneration !== o.metadata.generation)
    .map((o) => ({ object: `${o.kind}/${o.metadata.name}`, member: '-', state: 'NotObserved', message: `generation ${o.metadata.generation ?? '?'} not yet reconciled by the host` }));
  const failing = objects
    .filter((o) => o.kind === 'Receiver')
    .flatMap((o) => (o.status?.clusters ?? []).flatMap((c) => (c.delivery && isFailing(c.delivery) ? [{ receiver: o.metadata.name, member: c.name, delivery: c.delivery }] : [])));
  const byName = <T extends { object?: string; receiver?: string; member: string }>(a: T, b: T): number =>
    `${a.object ?? a.receiver}\u0000${a.member}`.localeCompare(`${b.object ?? b.receiver}\u0000${b.member}`);
  return {
    members: members.map((m) => memberRow(m, now)).sort((a, b) => a.name.localeCompare(b.name)),
    objects: objects.length,
    problems: [...unseen, ...problems, ...unknownClusters(policies, members)].sort(byName),
    failing: failing.sort(byName),
  };
}

const count = (n: number | undefined): string => String(n ?? 0);
const clip = (s: string, max = 100): string => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

function age(seconds: number | undefined): string {
  if (seconds === undefined) return 'never';
  if (seconds < 120) return `${seconds}s ago`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m ago`;
  return `${Math.round(seconds / 3600)}h ago`;
}

/** The report as three sections for people (pure). */
export function statusText(r: StatusReport): string {
  const out: string[] = [];
  if (r.members.length === 0) out.push('no members: register one with heraldctl join');
  else {
    out.push(
      table(
        ['MEMBER', 'READY', 'AGENT', 'SYNCED', 'VERSION', 'HEARTBEAT', 'DELIVERED', 'FAILED', 'PENDING'],
        r.members.map((m) => [m.name, m.ready, m.agent, m.synced, m.version, age(m.heartbeatAgeSeconds), count(m.delivery.delivered), count(m.delivery.failed), count(m.delivery.pending)]),
      ),
    );
    for (const m of r.members) for (const p of m.problems) out.push(`  ${m.name} ${clip(p, 160)}`);
  }
  out.push('');
  if (r.problems.length === 0) out.push(`propagation: all ${r.objects} objects applied on every member they are placed on`);
  else out.push(table(['OBJECT', 'MEMBER', 'STATE', 'MESSAGE'], r.problems.map((p) => [p.object, p.member, p.state, clip(p.message)])));
  out.push('');
  if (r.failing.length === 0) out.push('delivery: no receiver is failing');
  else {
    out.push(
      table(
        ['RECEIVER', 'MEMBER', 'DELIVERED', 'FAILED', 'PENDING', 'LAST ERROR'],
        r.failing.map((f) => [f.receiver, f.member, count(f.delivery.delivered), count(f.delivery.failed), count(f.delivery.pending), clip(f.delivery.lastError ?? '-')]),
      ),
    );
  }
  return out.join('\n');
}

// --- the read ---------------------------------------------------------------------------------

const plural = (kind: string): string => PLURALS[kind] ?? `${kind.toLowerCase()}s`;

async function listKind<T>(kc: KubeConfig, kind: string): Promise<T[]> {
  try {
    return (JSON.parse(await rawRequest(kc, 'GET', `/apis/${API_VERSION}/${plural(kind)}`)) as { items: T[] }).items;
  } catch (err) {
    if (err instanceof KubeError && err.status === 404) throw new Error('the host has no Herald kinds: install Herald on the host first (heraldctl init, or the herald chart)');
    if (err instanceof KubeError && err.status === 403) throw new Error(`you may not list ${plural(kind)}.herald.dev on the host: ${err.message}`);
    throw err;
  }
}

/** Reads MemberClusters and every propagated kind from the host, in parallel. */
export async function readStatus(kc: KubeConfig, now: () => Date): Promise<StatusReport> {
  const [members, policies, lists] = await Promise.all([
    listKind<MemberCluster>(kc, 'MemberCluster'),
    listKind<PropagationPolicy>(kc, 'PropagationPolicy'),
    Promise.all(PROPAGATED_KINDS.map((kind) => listKind<Omit<PropagatedObject, 'kind'>>(kc, kind).then((items) => items.map((o) => ({ ...o, kind }))))),
  ]);
  return statusReport(members, lists.flat(), now(), policies);
}
