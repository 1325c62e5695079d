/**
 * Applies the outbound address policy (egress.ts) where connections are made: a `lookup` for
 * net/tls connect that resolves the name and refuses when any address it got is denied (so the
 * address checked is the address connected to: a DNS answer that changes between a check and the
 * connect cannot get past it), and a check of IP-literal hosts, which Node connects to without a
 * lookup. A policy that denies nothing changes nothing: Node's own lookup is used.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { denial, type EgressDeniedError, type EgressPolicy } from './egress.js';

/** Whether the policy can refuse anything (else connections are made exactly as before). */
function restricts(policy: EgressPolicy): boolean {
  return policy.invalid !== undefined || policy.deny.length > 0;
}

/** A lookup for net.connect / tls.connect that refuses a name resolving to any denied address. */
export function egressLookup(policy: EgressPolicy): net.LookupFunction | undefined {
  if (!restricts(policy)) return undefined;
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      for (const { address } of addresses) {
        const refused = denial(address, hostname, policy);
        if (refused) return callback(refused, '');
      }
      const [first] = addresses;
      if (options.all === true) return callback(null, addresses);
      if (!first) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '');
      callback(null, first.address, first.family);
    });
  };
}

/** The refusal of an IP-literal host (`127.0.0.1`, `[::1]`); undefined for a name or an allowed address. */
export function literalDenial(host: string, policy: EgressPolicy): EgressDeniedError | undefined {
  if (!restricts(policy)) return undefined;
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (net.isIP(bare) === 0) return undefined;
  return denial(bare, host, policy);
}


const agents = new Map<string, http.Agent>();
const MAX_AGENTS = 16;

/**
 * A keep-alive node:http(s) Agent that connects only where the policy allows, for clients built
 * on node:http (the Slack SDK's axios). Pooled per protocol and policy; undefined (the default
 * agent, as before) when the policy denies nothing.
 */
export function egressAgent(protocol: 'http:' | 'https:', policy: EgressPolicy): http.Agent | undefined {
  const lookup = egressLookup(policy);
  if (!lookup) return undefined;
  const key = `${protocol}${JSON.stringify(policy)}`;
  const found = agents.get(key);
  if (found) return found;
  const agent: http.Agent = protocol === 'https:' ? new https.Agent({ keepAlive: true, lookup }) : new http.Agent({ keepAlive: true, lookup });
  const create = agent.createConnection.bind(agent);
  agent.createConnection = (options, callback) => {
    const refused = literalDenial(options.host ?? options.hostname ?? 'localhost', policy);
    if (!refused) return create(options, callback);
    // The Agent passes its callback and, given an error and no socket, fails the request with
    // the error. @types/node types the callback's socket as always present, hence the cast.
    if (!callback) throw refused;
    callback(refused, undefined as unknown as Duplex);
    return undefined;
  };
  if (agents.size >= MAX_AGENTS) {
    // The map holds MAX_AGENTS entries here, so the first entry exists.
    const [oldestKey, oldest] = agents.entries().next().value as [string, http.Agent];
    agents.delete(oldestKey);
    oldest.destroy();
  }
  agents.set(key, agent);
  return agent;
}

/** Closes the pooled agents' sockets (agent shutdown, tests). */
export function closeEgressAgents(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}
