/**
 * The agent's health as its heartbeat Lease tells it (pure): fresh and ready → AgentReady True;
 * fresh but not ready → False; expired or missing → Unknown, as Karmada marks a member whose
 * Lease lapsed. The Lease also carries the agent's delivery totals.
 */
import { AGENT_ANNOTATIONS, AGENT_LEASE, type AgentScheme, type DeliveryHealth } from '@herald/shared';

export const AGENT_LEASE_PATH = `/apis/coordination.k8s.io/v1/namespaces/${AGENT_LEASE.namespace}/leases/${AGENT_LEASE.name}`;

export interface AgentLease {
  metadata?: { annotations?: Record<string, string> };
  spec?: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number };
}

export interface AgentHealth {
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  /** The Lease's renewTime: the agent's last heartbeat. */
  heartbeat?: string;
  delivery?: DeliveryHealth;
}

function deliveryOf(lease: AgentLease): DeliveryHealth | undefined {
  const text = lease.metadata?.annotations?.[AGENT_ANNOTATIONS.delivery];
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The heartbeat time and delivery totals a Lease carries. */
function reported(lease: AgentLease): Pick<AgentHealth, 'heartbeat' | 'delivery'> {
  const renew = lease.spec?.renewTime;
  const delivery = deliveryOf(lease);
  return { ...(renew ? { heartbeat: new Date(renew).toISOString() } : {}), ...(delivery ? { delivery } : {}) };
}

/** How the agent serves its API, as its Lease says (http when the Lease does not say). */
export function agentScheme(lease: AgentLease | undefined): AgentScheme {
  return lease?.metadata?.annotations?.[AGENT_ANNOTATIONS.scheme] === 'https' ? 'https' : 'http';
}

export function agentHealth(lease: AgentLease | undefined, now: Date): AgentHealth {
  if (!lease) return { status: 'Unknown', reason: 'NoHeartbeat', message: 'no herald-agent Lease in herald-system: is the agent installed (heraldctl join)?' };
  const { renewTime: renew, leaseDurationSeconds: duration = 40, holderIdentity: holder = 'the agent' } = lease.spec ?? {};
  const base = reported(lease);
  const age = renew ? (now.getTime() - Date.parse(renew)) / 1000 : Infinity;
  if (!(age <= duration)) {
    const since = renew ? `last heartbeat ${Math.round(age)} s ago` : 'no heartbeat yet';
    return { ...base, status: 'Unknown', reason: 'HeartbeatExpired', message: `${holder}: ${since} (lease ${duration} s)` };
  }
  if (lease.metadata?.annotations?.[AGENT_ANNOTATIONS.ready] === 'false') {
    return { ...base, status: 'False', reason: 'AgentNotReady', message: `${holder} is running but not ready (configuration not loaded or pipeline stopped)` };
  }
  return { ...base, status: 'True', reason: 'Heartbeat', message: `${holder} renews its Lease` };
}
