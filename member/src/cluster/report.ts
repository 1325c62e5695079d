/**
 * What the agent tells its cluster about itself (pure): a Lease it renews as its heartbeat, with
 * its readiness and delivery totals in annotations for the host to read, and per-Receiver delivery
 * health for the Receivers' status.
 */
import { AGENT_ANNOTATIONS, AGENT_LEASE, sumDeliveryHealth, type AgentScheme, type DeliveryHealth } from '@herald/shared';
import { microTime, type ObjectId } from '@herald/shared/k8s';
import { parseTargetKey } from '../model/target-key.js';
import type { TargetHealth } from '../store/outbox.js';

export const LEASE_NAMESPACE = AGENT_LEASE.namespace;

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

/** One target's health in the API's shape. */
function asDeliveryHealth(h: TargetHealth): DeliveryHealth {
  const out: DeliveryHealth = { delivered: h.delivered, failed: h.failed, pending: h.pending };
  const ok = iso(h.lastSuccessAt);
  const bad = iso(h.lastFailureAt);
  if (ok) out.lastSuccessTime = ok;
  if (bad) Object.assign(out, { lastFailureTime: bad, lastError: h.lastError ?? '' });
  return out;
}

/** Sums targets' health into one (a Receiver has a target per channel; a cluster has all). */
export function sumHealth(parts: Iterable<[string, TargetHealth]>): DeliveryHealth {
  return sumDeliveryHealth([...parts].map(([where, h]) => ({ where, health: asDeliveryHealth(h) })));
}

/** Per Receiver name, the health of its channels. */
export function healthByReceiver(health: ReadonlyMap<string, TargetHealth>): Map<string, DeliveryHealth> {
  const grouped = new Map<string, [string, TargetHealth][]>();
  for (const [target, h] of health) {
    const receiver = parseTargetKey(target).receiver;
    grouped.set(receiver, [...(grouped.get(receiver) ?? []), [target, h]]);
  }
  return new Map([...grouped].map(([name, parts]) => [name, sumHealth(parts)]));
}

export interface LeaseArgs {
  holder: string;
  durationSec: number;
  now: Date;
  ready: boolean;
  delivery: DeliveryHealth;
  /** How the agent's API is served: the host reaches it through the service proxy with this scheme. */
  scheme: AgentScheme;
}

/** The heartbeat Lease, as a server-side apply body. */
export function leaseFor(a: LeaseArgs): ObjectId & { spec: Record<string, unknown> } {
  const lease = {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      ...AGENT_LEASE,
      annotations: { [AGENT_ANNOTATIONS.ready]: String(a.ready), [AGENT_ANNOTATIONS.delivery]: JSON.stringify(a.delivery), [AGENT_ANNOTATIONS.scheme]: a.scheme },
    },
    spec: { holderIdentity: a.holder, leaseDurationSeconds: a.durationSec, renewTime: microTime(a.now) },
  };
  return lease;
}
