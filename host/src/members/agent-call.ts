/**
 * A request to a member's agent through that member's API server: the service proxy of the
 * herald-agent Service (`…/services/<scheme>:herald-agent:http/proxy/<path>`), so the host needs
 * no route into the member's network, only the API server it already propagates through. The
 * proxy keeps the Authorization header for itself, so the host's token for the member goes again
 * in X-Herald-Authorization, which the agent reviews (TokenReview, then SubjectAccessReview on
 * agents/admin) as it would the header it replaces. The scheme is the one the agent's Lease
 * declares.
 */
import type { RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { AGENT_LEASE } from '@herald/shared';
import { PROXIED_AUTHORIZATION } from '@herald/shared/auth';
import { rawRequest, rawResponse } from '@herald/shared/k8s';
import { AGENT_LEASE_PATH, agentScheme, type AgentLease } from '../propagation/agent-health.js';
import { AGENT_PORT_NAME } from '../ctl/rbac.js';

/** What the agent answered: its status and JSON body. */
export interface AgentAnswer {
  status: number;
  body: unknown;
}

/** The agent could not be asked, or the member's API server refused to pass the request on. */
class AgentUnreachable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AgentUnreachable';
  }
}

/** The proxy path of an agent route (pure). */
export function proxyPath(scheme: 'http' | 'https', path: string): string {
  return `/api/v1/namespaces/${AGENT_LEASE.namespace}/services/${scheme}:herald-agent:${AGENT_PORT_NAME}/proxy${path}`;
}

/**
 * Whose answer a proxied reply is (pure): the API server's own errors are Status objects (no
 * endpoints, forbidden, service not found, the agent refused the connection); the agent answers
 * with its own JSON shape.
 */
export function answerOf(status: number, text: string): AgentAnswer | { apiServer: string } {
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    return status >= 200 && status < 300 ? { apiServer: 'the agent answered with something that is not JSON' } : { apiServer: `HTTP ${status}: ${text.slice(0, 200)}` };
  }
  if (typeof body === 'object' && body !== null && (body as { kind?: unknown }).kind === 'Status') {
    const message = (body as { message?: unknown }).message;
    return { apiServer: `HTTP ${status}: ${typeof message === 'string' ? message : 'refused'}` };
  }
  return { status, body };
}

/** The bearer token the kubeconfig authenticates with (static, exec or auth-provider); the agent can review nothing else. */
async function bearerOf(kc: KubeConfig): Promise<string> {
  const options: RequestOptions = { headers: {} };
  await kc.applyToHTTPSOptions(options);
  const header = (options.headers as Record<string, unknown> | undefined)?.['Authorization'];
  if (typeof header === 'string' && /^bearer /i.test(header)) return header;
  throw new AgentUnreachable('the kubeconfig the host holds for this member has no bearer token (a client certificate cannot be passed through the service proxy): join the member with heraldctl join, which writes a token kubeconfig');
}

export interface AgentRequest {
  method: 'GET' | 'POST';
  /** The agent's path, with its query. */
  path: string;
  body?: unknown;
  timeoutMs?: number;
}

/** One request to the member's agent; throws AgentUnreachable when the agent did not answer it. */
export async function callAgent(member: KubeConfig, req: AgentRequest): Promise<AgentAnswer> {
  const authorization = await bearerOf(member);
  const lease = await rawRequest(member, 'GET', AGENT_LEASE_PATH).then(
    (t) => JSON.parse(t) as AgentLease,
    () => undefined,
  );
  const answer = await rawResponse(member, req.method, proxyPath(agentScheme(lease), req.path), {
    headers: { [PROXIED_AUTHORIZATION]: authorization },
    ...(req.body === undefined ? {} : { body: JSON.stringify(req.body) }),
    timeoutMs: req.timeoutMs ?? 15_000,
  }).catch((err: Error) => {
    throw new AgentUnreachable(`the member's API server did not answer: ${err.message}`);
  });
  const parsed = answerOf(answer.status, answer.text);
  if ('apiServer' in parsed) throw new AgentUnreachable(`the member's API server: ${parsed.apiServer}`);
  return parsed;
}
