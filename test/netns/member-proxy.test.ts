/**
 * The host acting on members' agents through each member's own API server (the service proxy),
 * on real control planes: the admin API's test-send on one member and on every member a receiver
 * is placed on, delivery history merged across members and paged, and heraldctl's verify and
 * history, which do the same from the command line. The agents are the real agent, reviewing the
 * host's propagator token (TokenReview and SubjectAccessReview on their member); who may ask the
 * host is decided by the host's RBAC. A member whose agent is down answers with its error, and
 * the others are not held up.
 *
 * Runs in a network namespace of its own (test/netns/run.sh): the API server proxies to no
 * loopback address, so each agent listens on an address only that namespace has, and the test
 * plays the kubelet and endpoints controllers for the agent's Service.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../../shared/src/k8s/raw.js';
import { startClusters, type ClusterSet } from '../harness/clusters.js';
import { callerToken } from '../support/callers.js';
import { eventually } from '../support/eventually.js';
import { serviceAccountKubeconfig } from '../support/federation.js';
import { startHost, type HostProcess } from '../support/host-process.js';
import { apply } from '../support/manifests.js';
import { pointServiceAt } from '../support/pod-endpoints.js';
import { startAgent, type AgentProcess } from '../wire/agent-process.js';
import { startHttpServer, type TestHttpServer } from '../wire/http-server.js';

const CTL = fileURLToPath(new URL('../../host/src/ctl/cli.ts', import.meta.url));
const API = 'herald.dev/v1alpha1';
const AGENT_PORT = 19093;
/** Addresses test/netns/run.sh put on the namespace's loopback. */
const ADDRESSES: Record<string, string> = { 'member-a': '10.244.0.10', 'member-b': '10.244.0.11' };

let set: ClusterSet;
let hub: KubeConfig;
let host: HostProcess;
let sink: TestHttpServer;
let refuser: TestHttpServer;
const agents: Record<string, AgentProcess> = {};
const tokens: Record<string, string> = {};

function heraldctl(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const env = { PATH: process.env['PATH'] ?? '', HOME: '/nonexistent' };
    const child = spawn(process.execPath, ['--import', 'tsx', CTL, ...args, '--kubeconfig', set.get('hub').kubeconfigPath], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}

const caller = (name: string, rules: unknown[]): Promise<string> => callerToken(hub, name, rules);

function call(method: 'GET' | 'POST', path: string, who: string | undefined, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { ...(who ? { authorization: `Bearer ${tokens[who] ?? who}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
  return fetch(`${host.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

interface Verify {
  cluster: string;
  status: number;
  ok: boolean;
  results?: { channel: string; ok: boolean; answer?: string; error?: string }[];
  error?: string;
}
interface Page {
  entries: { cluster: string; id: number; at: string; receiver: string; outcome: string }[];
  missing: { cluster: string; error: string }[];
  cursor?: string;
}

async function fire(cluster: string, alertname: string): Promise<void> {
  const agent = agents[cluster] as AgentProcess;
  const res = await fetch(`${agent.url}/api/v2/alerts`, { method: 'POST', headers: agent.headers('ingest'), body: JSON.stringify({ alerts: [{ labels: { alertname, run: String(Math.random()) } }] }) });
  expect(res.status).toBe(200);
}

/** Whether a member's ServiceAccount may, by the member's own RBAC. */
async function may(cluster: string, sa: string, attrs: Record<string, string>): Promise<boolean> {
  const review = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: `system:serviceaccount:herald-system:${sa}`, groups: ['system:serviceaccounts', 'system:authenticated'], resourceAttributes: attrs } };
  return (JSON.parse(await rawRequest(set.kubeConfig(cluster), 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { body: JSON.stringify(review) })) as { status: { allowed: boolean } }).status.allowed;
}

/** Every page of a history query, following the cursors. */
async function pages(query: string, who = 'ops'): Promise<Page[]> {
  const out: Page[] = [];
  let cursor: string | undefined;
  do {
    const res = await call('GET', `/api/v1/history?${query}${cursor ? `&cursor=${cursor}` : ''}`, who);
    expect(res.status).toBe(200);
    const page = (await res.json()) as Page;
    out.push(page);
    cursor = page.cursor;
  } while (cursor && out.length < 50);
  return out;
}

beforeAll(async () => {
  set = await startClusters({ names: ['hub', 'member-a', 'member-b'] });
  hub = set.kubeConfig('hub');
  sink = await startHttpServer({ handler: () => ({ status: 200, body: 'ok' }) });
  refuser = await startHttpServer({ handler: () => ({ status: 403, body: 'forbidden: this hook refuses everyone' }) });
  await rawRequest(hub, 'POST', '/api/v1/namespaces', { body: JSON.stringify({ metadata: { name: 'ops' } }) });
  for (const [name, ip] of Object.entries(ADDRESSES)) {
    const joined = await heraldctl('join', name, '--member-kubeconfig', set.get(name).kubeconfigPath, '--label', `name=${name}`);
    expect(joined.err + joined.out).toContain(`${name} joined`);
    await pointServiceAt(set.kubeConfig(name), { namespace: 'herald-system', service: 'herald-agent', portName: 'http', ip, port: AGENT_PORT });
    agents[name] = await startAgent({
      kubeconfig: await serviceAccountKubeconfig(set, name, 'herald-agent'),
      host: ip,
      port: AGENT_PORT,
      env: { POD_NAMESPACE: 'herald-system', POD_NAME: `herald-agent-0` },
      args: ['--heartbeat-seconds', '1'],
    });
  }
  tokens['ops'] = await caller('ops', [
    { apiGroups: ['herald.dev'], resources: ['memberclusters/verify'], verbs: ['create'] },
    { apiGroups: ['herald.dev'], resources: ['memberclusters/history'], verbs: ['get'] },
  ]);
  tokens['viewer'] = await caller('viewer', [{ apiGroups: ['herald.dev'], resources: ['memberclusters'], verbs: ['get', 'list'] }]);
  tokens['a-only'] = await caller('a-only', [{ apiGroups: ['herald.dev'], resources: ['memberclusters/verify'], verbs: ['create'], resourceNames: ['member-a'] }]);
  await apply(hub, { apiVersion: API, kind: 'Settings', metadata: { name: 'default' }, spec: { batchMaxWait: '0s' } } as never);
  await apply(hub, { apiVersion: API, kind: 'Receiver', metadata: { name: 'sink', labels: { type: 'global' } }, spec: { webhook: { url: sink.origin } } } as never);
  await apply(hub, { apiVersion: API, kind: 'Receiver', metadata: { name: 'refuser', labels: { type: 'tenant', namespace: 'nobody' } }, spec: { webhook: { url: refuser.origin } } } as never);
  host = await startHost({ kubeconfig: set.get('hub').kubeconfigPath, id: 'proxy', args: ['--leader-elect', 'false', '--auth-cache-seconds', '1'] });
  // Both agents have the receivers and answer through their API servers.
  for (const cluster of Object.keys(ADDRESSES)) {
    let last = '';
    await eventually(
      async () => {
        last = await (await call('POST', `/api/v1/clusters/${cluster}/verify`, 'ops', { receiver: 'refuser' })).text();
        return (JSON.parse(last) as Verify).results?.[0]?.channel === 'webhook' ? true : undefined;
      },
      () => `${cluster}: ${last}\nhost: ${host.output().slice(-1500)}\nagent: ${agents[cluster]?.output().slice(-1500) ?? ''}`,
      90_000,
    );
  }
}, 300_000);

afterAll(async () => {
  await host?.stop();
  for (const a of Object.values(agents)) await a.stop();
  await sink?.close();
  await refuser?.close();
  await set?.stop();
});

describe('test-send through a member', () => {
  it('reaches the member’s agent through its API server and returns the agent’s answer per channel', async () => {
    const before = sink.requests.length;
    const res = await call('POST', '/api/v1/clusters/member-a/verify', 'ops', { receiver: 'sink' });
    const body = (await res.json()) as Verify;
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ cluster: 'member-a', ok: true, results: [{ channel: 'webhook', ok: true }] });
    const sent = sink.requests.slice(before).map((r) => JSON.parse(r.body) as { alerts: { labels: Record<string, string> }[] });
    expect(sent.flatMap((b) => b.alerts.map((a) => a.labels))).toEqual([expect.objectContaining({ alertname: 'verify', cluster: 'member-a' })]);
  });

  it('answers with what a refusing channel said, and sends nothing on the other member', async () => {
    const seen = refuser.requests.length;
    const res = await call('POST', '/api/v1/clusters/member-b/verify', 'ops', { receiver: 'refuser' });
    expect(res.status).toBe(502);
    const body = (await res.json()) as Verify;
    expect(body.cluster).toBe('member-b');
    expect(body.results?.[0]).toMatchObject({ channel: 'webhook', ok: false });
    expect(body.results?.[0]?.error).toContain('403');
    expect(refuser.requests.length).toBe(seen + 1);
  });

  it('says which receiver or member does not exist', async () => {
    const missing = await call('POST', '/api/v1/clusters/member-a/verify', 'ops', { receiver: 'no-such-receiver' });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as Verify).error).toBe('no receiver named no-such-receiver');
    const ghost = await call('POST', '/api/v1/clusters/ghost/verify', 'ops', { receiver: 'sink' });
    expect(ghost.status).toBe(404);
    expect(((await ghost.json()) as { message: string }).message).toBe('no member cluster named ghost');
    const bad = await call('POST', '/api/v1/clusters/member-a/verify', 'ops', { receiver: 'sink', extra: 1 });
    expect(bad.status).toBe(400);
  });

  it('keeps an inline receiver to the agent’s rules: no Secret of the member is read for it', async () => {
    const res = await call('POST', '/api/v1/clusters/member-a/verify', 'ops', { receiver: { spec: { webhook: { url: 'https://example.test', httpConfig: { bearerToken: { valueFrom: { secretKeyRef: { name: 'x', key: 'y' } } } } } } } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Verify).error).toContain('it never reads a Secret');
  });

  it('POST /api/v1/verify sends on every member the receiver is placed on, at once', async () => {
    const res = await call('POST', '/api/v1/verify', 'ops', { receiver: 'sink' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; clusters: Verify[] };
    expect(body.ok).toBe(true);
    expect(body.clusters.map((c) => [c.cluster, c.ok])).toEqual([
      ['member-a', true],
      ['member-b', true],
    ]);
  });

  it('is decided by the host’s RBAC on memberclusters/verify, by member name', async () => {
    expect((await call('POST', '/api/v1/verify', undefined, { receiver: 'sink' })).status).toBe(401);
    const viewer = await call('POST', '/api/v1/clusters/member-a/verify', 'viewer', { receiver: 'sink' });
    expect(viewer.status).toBe(403);
    expect(((await viewer.json()) as { message: string }).message).toBe('system:serviceaccount:ops:viewer may not create memberclusters/verify.herald.dev member-a');
    expect((await call('POST', '/api/v1/clusters/member-a/verify', 'a-only', { receiver: 'sink' })).status).toBe(200);
    expect((await call('POST', '/api/v1/clusters/member-b/verify', 'a-only', { receiver: 'sink' })).status).toBe(403);
    // Every member at once needs the right on all of them.
    expect((await call('POST', '/api/v1/verify', 'a-only', { receiver: 'sink' })).status).toBe(403);
    expect((await call('GET', '/api/v1/history', 'a-only')).status).toBe(403);
  });

  it('gives the propagator the agent’s admin role and its proxy port, and nothing else of the kind', async () => {
    const proxy = (name: string, verb = 'create') => ({ verb, resource: 'services', subresource: 'proxy', namespace: 'herald-system', name });
    // RBAC names the proxy as its path does: scheme, service, port name.
    expect(await may('member-a', 'herald-propagator', proxy('http:herald-agent:http'))).toBe(true);
    expect(await may('member-a', 'herald-propagator', proxy('https:herald-agent:http', 'get'))).toBe(true);
    expect(await may('member-a', 'herald-propagator', proxy('http:herald-agent:metrics'))).toBe(false);
    expect(await may('member-a', 'herald-propagator', proxy('herald-agent'))).toBe(false);
    expect(await may('member-a', 'herald-propagator', { ...proxy('https:kubernetes:https'), namespace: 'default' })).toBe(false);
    expect(await may('member-a', 'herald-propagator', { verb: 'get', resource: 'services', namespace: 'herald-system', name: 'herald-agent' })).toBe(false);
    const agentRole = (subresource: string) => ({ verb: 'create', group: 'herald.dev', resource: 'agents', subresource, namespace: 'herald-system', name: 'herald-agent' });
    expect(await may('member-a', 'herald-propagator', agentRole('admin'))).toBe(true);
    expect(await may('member-a', 'herald-propagator', agentRole('ingest'))).toBe(false);
  });
});

describe('history across members', () => {
  it('merges both members newest first, each entry naming its cluster, paged without gaps or repeats', async () => {
    for (let i = 0; i < 3; i++) {
      await fire('member-a', `A${i}`);
      await fire('member-b', `B${i}`);
    }
    const own = async (cluster: string): Promise<number[]> => {
      const a = agents[cluster] as AgentProcess;
      const r = (await (await fetch(`${a.url}/api/v2/history?receiver=sink&outcome=delivered&limit=1000`, { headers: a.headers('admin') })).json()) as { entries: { id: number }[] };
      return r.entries.map((e) => e.id);
    };
    // Each member delivered its three alerts (test messages bypass the queue and its history).
    let counts: number[] = [];
    await eventually(async () => {
      counts = [(await own('member-a')).length, (await own('member-b')).length];
      return counts.every((n) => n >= 3) ? true : undefined;
    }, () => `history entries per member: ${JSON.stringify(counts)}`, 60_000);
    const all = (await pages('receiver=sink&outcome=delivered&limit=2')).flatMap((p) => p.entries);
    expect(all.map((e) => `${e.cluster}/${e.id}`).sort()).toEqual([...(await own('member-a')).map((id) => `member-a/${id}`), ...(await own('member-b')).map((id) => `member-b/${id}`)].sort());
    expect(new Set(all.map((e) => e.cluster))).toEqual(new Set(['member-a', 'member-b']));
    const times = all.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((x, y) => y - x));
    expect(all.every((e) => e.receiver === 'sink' && e.outcome === 'delivered')).toBe(true);
    // One member only.
    const onlyB = (await pages('cluster=member-b&receiver=sink&limit=1000')).flatMap((p) => p.entries);
    expect(onlyB.length).toBeGreaterThan(0);
    expect(onlyB.every((e) => e.cluster === 'member-b')).toBe(true);
  });

  it('refuses a cursor it did not give out', async () => {
    const res = await call('GET', '/api/v1/history?cursor=bm90LWEtY3Vyc29y', 'ops');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe('cursor is not one this API gave out');
  });
});

describe('heraldctl verify and history', () => {
  it('verify shows each member’s answer per channel and exits 0 when all accepted', async () => {
    const r = await heraldctl('verify', 'sink');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(/^CLUSTER\s+CHANNEL\s+RESULT\s+ANSWER$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 3))).toEqual([
      ['member-a', 'webhook', 'OK'],
      ['member-b', 'webhook', 'OK'],
    ]);
  });

  it('verify --cluster exits 1 with the refusal', async () => {
    const r = await heraldctl('verify', 'refuser', '--cluster', 'member-b');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^member-b\s+webhook\s+FAILED\s+.*403/m);
    const json = JSON.parse((await heraldctl('verify', 'refuser', '--cluster', 'member-b', '-o', 'json')).out) as { clusters: Verify[] };
    expect(json.clusters[0]).toMatchObject({ cluster: 'member-b', ok: false });
  });

  it('history lists deliveries of both members', async () => {
    const r = await heraldctl('history', '--receiver', 'sink', '--outcome', 'delivered');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toMatch(/^TIME\s+CLUSTER\s+RECEIVER\s+CHANNEL\s+OUTCOME\s+ALERTS\s+REASON\s+ANSWER$/);
    expect(r.out).toMatch(/ member-a\s+sink\s+webhook\s+delivered /);
    expect(r.out).toMatch(/ member-b\s+sink\s+webhook\s+delivered /);
  });
});

describe('a member whose agent is down', () => {
  it('answers with its error while the other member answers, and history lists it as missing', async () => {
    await agents['member-b']?.stop();
    const res = await call('POST', '/api/v1/verify', 'ops', { receiver: 'sink' });
    expect(res.status).toBe(502);
    const body = (await res.json()) as { ok: boolean; clusters: Verify[] };
    expect(body.clusters.find((c) => c.cluster === 'member-a')).toMatchObject({ ok: true });
    const b = body.clusters.find((c) => c.cluster === 'member-b');
    expect(b).toMatchObject({ ok: false, status: 502 });
    expect(b?.error).toMatch(/^the member's API server: HTTP 503: .*(connection refused|no endpoints)/);
    const [page] = await pages('limit=5');
    expect(page?.missing.map((m) => m.cluster)).toEqual(['member-b']);
    expect(page?.entries.every((e) => e.cluster === 'member-a')).toBe(true);
    const ctl = await heraldctl('history', '--limit', '5');
    expect(ctl.code).toBe(1);
    expect(ctl.out).toMatch(/^missing: member-b: the member's API server: HTTP 503/m);
  });
});
