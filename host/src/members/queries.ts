/**
 * What the host asks its members' agents for, on behalf of an admin (the admin API and heraldctl
 * both): a test-send of a receiver on one member or on every member it is placed on, and the
 * delivery history of all members merged.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { API_VERSION, type MemberCluster, type Receiver } from '@herald/shared';
import { KubeError, rawRequest } from '@herald/shared/k8s';
import { askMember, askMembers, type MemberAnswer } from './fan-out.js';
import { listMembers, placedMembers } from './placed.js';
import { decodeCursor, entriesOf, mergePage, type Cursor, type HistoryPage, type MemberList } from './history.js';

/** A request the host cannot act on: the status to answer and why. */
class QueryError extends Error {
  constructor(
    readonly statusCode: 400 | 404,
    message: string,
  ) {
    super(message);
    this.name = 'QueryError';
  }
}

/** What one channel answered the test message on a member. */
interface ChannelOutcome {
  channel: string;
  ok: boolean;
  answer?: string;
  error?: string;
}

/** A verify answer on one member: the agent's (per channel), or why it could not be had. */
export interface ClusterVerify {
  cluster: string;
  /** The agent's HTTP status; 502 when the agent could not be asked or refused the host. */
  status: number;
  ok: boolean;
  results?: ChannelOutcome[];
  /** Why there are no results: the agent's own message (no such receiver, an invalid inline one) or why it was not reached. */
  error?: string;
}

/** Sends can take a while (each channel's own timeouts); the admin API's requests end at 60 s. */
const VERIFY_TIMEOUT_MS = 45_000;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The agent's per-channel outcomes, keeping only the fields verify defines. */
function outcomesOf(v: unknown): ChannelOutcome[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.map((o: unknown) => {
    const r = (typeof o === 'object' && o !== null ? o : {}) as Record<string, unknown>;
    const answer = str(r['answer']);
    const error = str(r['error']);
    return { channel: str(r['channel']) ?? '?', ok: r['ok'] === true, ...(answer !== undefined ? { answer } : {}), ...(error !== undefined ? { error } : {}) };
  });
}

function verifyResult(a: MemberAnswer): ClusterVerify {
  if ('error' in a) return { cluster: a.cluster, status: 502, ok: false, error: a.error };
  const body = (typeof a.answer.body === 'object' && a.answer.body !== null ? a.answer.body : {}) as Record<string, unknown>;
  const message = str(body['message']) ?? `HTTP ${a.answer.status}`;
  // The agent refusing the host is the host's problem to report, not the caller's 401 or 403.
  if ([401, 403, 503].includes(a.answer.status)) return { cluster: a.cluster, status: 502, ok: false, error: `the agent refused the host: ${message}` };
  const results = outcomesOf(body['results']);
  if (!results) return { cluster: a.cluster, status: a.answer.status, ok: false, error: message };
  return { cluster: a.cluster, status: a.answer.status, ok: a.answer.status === 200 && results.length > 0 && results.every((r) => r.ok), results };
}

async function member(host: KubeConfig, name: string): Promise<MemberCluster> {
  const text = await rawRequest(host, 'GET', `/apis/${API_VERSION}/memberclusters/${encodeURIComponent(name)}`).catch((err: unknown) => {
    if (err instanceof KubeError && err.status === 404) throw new QueryError(404, `no member cluster named ${name}`);
    throw err;
  });
  return JSON.parse(text) as MemberCluster;
}

/** Test-send on one member: `body` is the agent's verify body (a receiver's name, or one inline). */
export async function verifyOn(host: KubeConfig, cluster: string, body: unknown): Promise<ClusterVerify> {
  const mc = await member(host, cluster);
  return verifyResult(await askMember(host, mc, { method: 'POST', path: '/api/v2/verify', body, timeoutMs: VERIFY_TIMEOUT_MS }));
}

/** The members a host Receiver is placed on, as the controller places it. */
async function placedOn(host: KubeConfig, receiver: string): Promise<MemberCluster[]> {
  const found = await rawRequest(host, 'GET', `/apis/${API_VERSION}/receivers/${encodeURIComponent(receiver)}`).catch((err: unknown) => {
    if (err instanceof KubeError && err.status === 404) throw new QueryError(404, `no receiver named ${receiver} on the host`);
    throw err;
  });
  const r = JSON.parse(found) as Receiver;
  return (await placedMembers(host, { kind: 'Receiver', name: receiver, labels: r.metadata.labels ?? {} })).members;
}

/** Test-send of a host Receiver on every member it is placed on, at once. */
export async function verifyPlaced(host: KubeConfig, receiver: string): Promise<{ receiver: string; ok: boolean; clusters: ClusterVerify[] }> {
  const members = await placedOn(host, receiver);
  const answers = await askMembers(host, members, () => ({ method: 'POST', path: '/api/v2/verify', body: { receiver }, timeoutMs: VERIFY_TIMEOUT_MS }));
  const clusters = answers.map(verifyResult);
  return { receiver, ok: clusters.length > 0 && clusters.every((c) => c.ok), clusters };
}

export interface HistoryQuery {
  cluster?: string | undefined;
  receiver?: string | undefined;
  channel?: string | undefined;
  outcome?: string | undefined;
  since?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

function agentHistoryPath(q: HistoryQuery, before: number | undefined): string {
  const params = new URLSearchParams();
  for (const key of ['receiver', 'channel', 'outcome', 'since'] as const) {
    const value = q[key];
    if (value !== undefined) params.set(key, value);
  }
  params.set('limit', String(q.limit));
  if (before !== undefined) params.set('before', String(before));
  return `/api/v2/history?${params.toString()}`;
}

function memberList(a: MemberAnswer, asked: number): MemberList {
  if ('error' in a) return { cluster: a.cluster, error: a.error };
  const entries = a.answer.status === 200 ? entriesOf(a.answer.body) : undefined;
  if (entries) return { cluster: a.cluster, entries, asked };
  const message = (a.answer.body as { message?: unknown } | null)?.message;
  return { cluster: a.cluster, error: `the agent answered HTTP ${a.answer.status}${typeof message === 'string' ? `: ${message}` : ''}` };
}

/** One page of every member's delivery history (or one member's), newest first. */
export async function historyAcross(host: KubeConfig, q: HistoryQuery): Promise<HistoryPage> {
  let cursor: Cursor | undefined;
  if (q.cursor !== undefined) {
    const decoded = decodeCursor(q.cursor);
    if ('error' in decoded) throw new QueryError(400, decoded.error);
    cursor = decoded;
  }
  const members = q.cluster !== undefined ? [await member(host, q.cluster)] : await listMembers(host);
  const asked = members.filter((m) => !cursor?.done.includes(m.metadata.name));
  const answers = await askMembers(host, asked, (mc) => ({ method: 'GET', path: agentHistoryPath(q, cursor?.before[mc.metadata.name]) }));
  return mergePage(answers.map((a) => memberList(a, q.limit)), q.limit, cursor);
}
