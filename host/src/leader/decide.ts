/**
 * Leader election decisions (pure), client-go's way: a Lease names its holder and is renewed while
 * the holder leads. A candidate takes it only when the holder has not renewed for the lease's
 * duration, measured on the candidate's own clock from when it last saw the record change, so
 * clock skew between replicas cannot make two leaders.
 */
export interface LeaseRecord {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Observed {
  /** The record as last read, and when (local clock, ms) it was first seen with this content. */
  record: LeaseRecord;
  seenAt: number;
}

export type Decision = 'create' | 'renew' | 'acquire' | 'wait';

export function decide(args: { me: string; current: Observed | undefined; now: number; defaultDurationSec: number }): Decision {
  const { me, current, now } = args;
  if (!current) return 'create';
  const holder = current.record.holderIdentity ?? '';
  if (holder === me) return 'renew';
  // Released (no holder) or lapsed: anyone may take it.
  const duration = (current.record.leaseDurationSeconds ?? args.defaultDurationSec) * 1000;
  if (holder === '' || now >= current.seenAt + duration) return 'acquire';
  return 'wait';
}

/** The record to write for a decision. */
export function nextRecord(args: { me: string; decision: Exclude<Decision, 'wait'>; previous: LeaseRecord | undefined; at: string; durationSec: number }): LeaseRecord {
  const { me, decision, previous, at, durationSec } = args;
  if (decision === 'renew' && previous) return { ...previous, holderIdentity: me, leaseDurationSeconds: durationSec, renewTime: at };
  return {
    holderIdentity: me,
    leaseDurationSeconds: durationSec,
    acquireTime: at,
    renewTime: at,
    leaseTransitions: decision === 'create' ? 0 : (previous?.leaseTransitions ?? 0) + 1,
  };
}

/** What a leader writes when it steps down on purpose, so a standby need not wait out the lease. */
export function released(previous: LeaseRecord, at: string): LeaseRecord {
  return { ...previous, holderIdentity: '', leaseDurationSeconds: 1, renewTime: at };
}
