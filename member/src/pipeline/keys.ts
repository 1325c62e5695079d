/** Pure decisions of the pipeline: group identity, duplicate identity, and retry timing. */
import type { Labels, Notification } from '../model/notification.js';

/** The group a notification joins for a receiver: its values of the group labels. */
export function groupKeyOf(labels: Labels, groupLabels: readonly string[]): string {
  return JSON.stringify(groupLabels.map((l) => labels[l] ?? ''));
}

export function groupLabelsOf(labels: Labels, groupLabels: readonly string[]): Labels {
  return Object.fromEntries(groupLabels.filter((l) => labels[l] !== undefined).map((l) => [l, labels[l] as string]));
}

/**
 * Two notifications are the same delivery when alert, status and start agree (and, once
 * resolved, the end). A firing alert's endsAt moves with every Alertmanager resend, so it is left out.
 */
export function dedupKeyOf(n: Pick<Notification, 'fingerprint' | 'status' | 'startsAt' | 'endsAt'>): string {
  return n.status === 'resolved' ? `${n.fingerprint}|resolved|${n.startsAt}|${n.endsAt}` : `${n.fingerprint}|firing|${n.startsAt}`;
}

export interface BackoffPolicy {
  initialBackoffMs: number;
  maxBackoffMs: number;
}

/**
 * Delay before attempt `attempt + 1`: exponential from the initial backoff to the cap, with
 * "equal jitter" (half fixed, half random) so retries of many batches spread out; never sooner
 * than the channel's Retry-After.
 */
export function backoffMs(attempt: number, policy: BackoffPolicy, opts: { random: number; retryAfterMs?: number }): number {
  const exp = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exp / 2 + (exp / 2) * opts.random;
  return Math.max(jittered, opts.retryAfterMs ?? 0);
}
