/**
 * The agent's heartbeat Lease on its member (herald-system/herald-agent): the agent writes it, the
 * host reads it. Its annotations carry what the host needs beyond the heartbeat.
 */
export const AGENT_LEASE = { namespace: 'herald-system', name: 'herald-agent' } as const;

export const AGENT_ANNOTATIONS = {
  /** `true` or `false`: the agent's /readyz. */
  ready: 'herald.dev/agent-ready',
  /** The agent's delivery totals, as DeliveryHealth JSON. */
  delivery: 'herald.dev/delivery',
  /** `http` or `https`: how the agent's API is served, so the host's service proxy path uses the right scheme. */
  scheme: 'herald.dev/api-scheme',
} as const;

export type AgentScheme = 'http' | 'https';
