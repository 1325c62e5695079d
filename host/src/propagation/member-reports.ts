/**
 * What a member's agent wrote back into its copies' status (pure), read when the controller
 * lists the copies: each Receiver's delivery health, and each object's Accepted condition — the
 * agent's verdict on it (a cron expression or regex that does not compile, a template that does
 * not parse, …). A verdict counts only for the generation the copy has; an older one says nothing.
 */
import { KINDS, type ClusterStatus, type Condition, type DeliveryHealth } from '@herald/shared';
import type { Found } from './diff.js';

export interface MemberReport {
  delivery?: DeliveryHealth;
  /** The agent's Accepted condition, when it is about the copy's current generation. */
  accepted?: { status: 'True' | 'False' | 'Unknown'; message: string };
}

const KIND_OF_PLURAL = new Map(KINDS.map((k) => [k.plural, k.kind]));

/** `Kind/name` of a Herald copy's path (Secrets and anything else: undefined). */
function keyOfPath(path: string): string | undefined {
  const m = /\/apis\/[^/]+\/[^/]+\/([^/]+)\/([^/]+)$/.exec(path);
  const kind = m ? KIND_OF_PLURAL.get(m[1] ?? '') : undefined;
  return kind && m ? `${kind}/${m[2] ?? ''}` : undefined;
}

type Copy = { metadata?: { generation?: number }; status?: { delivery?: DeliveryHealth; conditions?: Condition[] } };

/** What one copy's status says, if anything. */
function reportOf(copy: Copy): MemberReport | undefined {
  const accepted = copy.status?.conditions?.find((c) => c.type === 'Accepted');
  const current = accepted !== undefined && accepted.observedGeneration === copy.metadata?.generation;
  const delivery = copy.status?.delivery;
  if (!delivery && !current) return undefined;
  return { ...(delivery ? { delivery } : {}), ...(current ? { accepted: { status: accepted.status, message: accepted.message ?? '' } } : {}) };
}

/** Per `Kind/name`, what the agent reported on the member's copies. */
export function memberReports(found: readonly Found[]): Map<string, MemberReport> {
  const out = new Map<string, MemberReport>();
  for (const f of found) {
    const key = keyOfPath(f.path);
    const report = key ? reportOf(f.object as Copy) : undefined;
    if (key && report) out.set(key, report);
  }
  return out;
}

/** Drops the verdicts on copies just replaced: the agent has yet to judge the new ones. */
export function forgetVerdicts(reports: Map<string, MemberReport>, replaced: readonly { kind: string; metadata: { name: string } }[]): void {
  for (const o of replaced) {
    const key = `${o.kind}/${o.metadata.name}`;
    const delivery = reports.get(key)?.delivery;
    if (delivery) reports.set(key, { delivery });
    else reports.delete(key);
  }
}

/**
 * A member's entry for an object the controller applied (pure): Rejected when the agent refused
 * the generation the member has, with the agent's reason; else what the apply found.
 */
export function withVerdict(applied: Pick<ClusterStatus, 'state' | 'message'>, report: MemberReport | undefined): Pick<ClusterStatus, 'state' | 'message' | 'accepted'> {
  const accepted = report?.accepted;
  if (applied.state !== 'Applied') return applied;
  if (accepted?.status === 'False') return { state: 'Rejected', message: `the agent refused it: ${accepted.message}`.slice(0, 4096), accepted: 'False' };
  return { ...applied, accepted: accepted?.status ?? 'Unknown' };
}
