/**
 * Delivery health sums (pure): a Receiver's channels into one, an agent's receivers into its
 * cluster's total, the members' totals into a host object's. Counts add up; the latest success is
 * kept, and the latest failure with its error, prefixed with where it happened.
 */
import type { DeliveryHealth } from '../api/common.js';

/** Whether time `b` is set and later than `a` (RFC 3339 UTC times compare as strings). */
const later = (a: string | undefined, b: string | undefined): b is string => b !== undefined && (a === undefined || b > a);

export function sumDeliveryHealth(parts: Iterable<{ where: string; health: DeliveryHealth }>): DeliveryHealth {
  const counts = { delivered: 0, failed: 0, pending: 0 };
  let lastOk: string | undefined;
  let lastBad: { at: string; error: string } | undefined;
  for (const { where, health: h } of parts) {
    for (const k of ['delivered', 'failed', 'pending'] as const) counts[k] += h[k] ?? 0;
    if (later(lastOk, h.lastSuccessTime)) lastOk = h.lastSuccessTime;
    if (later(lastBad?.at, h.lastFailureTime)) lastBad = { at: h.lastFailureTime, error: `${where}: ${h.lastError ?? ''}`.slice(0, 4000) };
  }
  const out: DeliveryHealth = { ...counts, ...(lastOk ? { lastSuccessTime: lastOk } : {}) };
  return lastBad ? { ...out, lastFailureTime: lastBad.at, lastError: lastBad.error } : out;
}

/** Deliveries are failing when failures are counted and none succeeded since the last one. */
export function isFailing(d: DeliveryHealth): boolean {
  if ((d.failed ?? 0) === 0 && d.lastFailureTime === undefined) return false;
  if (d.lastFailureTime === undefined) return true;
  return d.lastSuccessTime === undefined || Date.parse(d.lastFailureTime) >= Date.parse(d.lastSuccessTime);
}
