/**
 * How long a client may take and how many may be connected (pure). Without these, a client that
 * sends its request a byte at a time holds a socket for minutes (3,000 of them were held for
 * Node's 300 s). Headers must arrive within `headersTimeoutMs`, the whole request within
 * `requestTimeoutMs`, an idle keep-alive connection closes after `keepAliveTimeoutMs`, and Node
 * checks for expired requests every second instead of every 30.
 */
export interface ServerLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** Idle keep-alive connections; above Alertmanager's (Go's) 90 s idle timeout would hold sockets it has dropped. */
  keepAliveTimeoutMs: number;
  /** A socket with no traffic at all for this long is closed. */
  idleTimeoutMs: number;
  maxConnections: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 75_000,
  idleTimeoutMs: 120_000,
  maxConnections: 10_000,
};

/** The limits split into what fastify takes and what Node's server takes. */
export function serverLimits(given: Partial<ServerLimits> = {}): {
  fastify: { requestTimeout: number; keepAliveTimeout: number; connectionTimeout: number };
  node: { headersTimeout: number; requestTimeout: number; keepAliveTimeout: number; connectionsCheckingInterval: number };
  maxConnections: number;
} {
  const l = { ...DEFAULT_SERVER_LIMITS, ...given };
  // Node refuses a headers timeout above the request timeout.
  const headers = Math.min(l.headersTimeoutMs, l.requestTimeoutMs);
  return {
    fastify: { requestTimeout: l.requestTimeoutMs, keepAliveTimeout: l.keepAliveTimeoutMs, connectionTimeout: l.idleTimeoutMs },
    node: { headersTimeout: headers, requestTimeout: l.requestTimeoutMs, keepAliveTimeout: l.keepAliveTimeoutMs, connectionsCheckingInterval: 1000 },
    maxConnections: l.maxConnections,
  };
}
