/**
 * npm run bench: figures for the member agent, printed, not asserted.
 *  1. ceiling: a bare fastify route that parses and inserts each alert as a row (one transaction a request)
 *  2. agent ingest: alerts/s accepted durably, 50 alerts a request, with a static token (and, for
 *     comparison, without authentication)
 *  3. end-to-end latency p50/p99 from request to a webhook sink at 1,000 alerts/s, batch wait 0
 *  4. peak RSS of the agent after 1,000,000 alerts
 *  5. the same with the agent configured from a real kube-apiserver, as in a member cluster, after
 *     ingest with a ServiceAccount token (TokenReview and SubjectAccessReview, answers cached)
 * Every request carries a bearer token, as the agent requires.
 * Servers run in their own processes; this process only generates load (autocannon).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import autocannon from 'autocannon';
import { stringify } from 'yaml';
import { BUNDLED_CLI } from '../hack/bundle-agent.js';
import { freePort } from '../test/wire/agent-process.js';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const DURATION = Number(process.env['BENCH_SECONDS'] ?? 10);
const CONNECTIONS = 16;
const PER_REQUEST = 50;
/** The static ingest token the bench agents accept. */
const BENCH_TOKEN = 'bench-ingest-token-0123456789';
const ingestHeaders = (token = BENCH_TOKEN): Record<string, string> => ({ 'content-type': 'application/json', authorization: `Bearer ${token}` });

function body(seq: number, n: number, sentAt?: number): string {
  const alerts = Array.from({ length: n }, (_, i) => ({
    status: 'firing',
    labels: { alertname: `BenchAlert${seq % 20}`, namespace: `ns-${seq % 7}`, pod: `pod-${seq}-${i}`, severity: 'warning', job: 'kubelet', instance: `10.0.${seq % 250}.${i}:10250`, prometheus: 'monitoring/k8s' },
    annotations: { summary: 'Pod is crash looping.', description: `Pod ns/pod-${seq}-${i} is restarting 2.5 times / 10 minutes.`, ...(sentAt ? { sentAt: String(sentAt) } : {}) },
    startsAt: '2026-11-21T12:00:00Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus.example/graph?g0.expr=x',
    fingerprint: `${seq}-${i}`,
  }));
  return JSON.stringify({ version: '4', groupKey: '{}:{alertname="BenchAlert"}', truncatedAlerts: 0, status: 'firing', receiver: 'herald', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://alertmanager.example', alerts });
}

interface Proc {
  child: ChildProcess;
  stop(): Promise<void>;
}

async function start(script: string, args: string[]): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => (c.toString().includes('ready') ? resolve() : undefined));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { child, stop: () => new Promise((r) => (child.once('exit', () => r()), child.kill('SIGTERM'))) };
}

/** The agent's whole configuration in the bench: its Settings and one webhook receiver, the sink. */
const benchObjects = (batchMaxWait: string, sink: string): Record<string, unknown>[] => [
  { apiVersion: 'herald.dev/v1alpha1', kind: 'Settings', metadata: { name: 'default' }, spec: { batchMaxWait, cluster: { name: 'bench' } } },
  { apiVersion: 'herald.dev/v1alpha1', kind: 'Receiver', metadata: { name: 'sink', labels: { type: 'global' } }, spec: { webhook: { url: sink } } },
];

/** Standalone (objects in a folder), or in a cluster through `kubeconfig` (objects already applied there). */
async function startAgent(opts: { batchMaxWait: string; sink: string; kubeconfig?: string; anonymous?: boolean }): Promise<Proc & { url: string; dataDir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-'));
  if (!opts.kubeconfig) writeFileSync(join(dir, 'objects.yaml'), benchObjects(opts.batchMaxWait, opts.sink).map((o) => stringify(o)).join('---\n'));
  const source = opts.kubeconfig ? ['--kubeconfig', opts.kubeconfig] : ['--config-dir', dir];
  writeFileSync(join(dir, 'ingest-token'), `${BENCH_TOKEN}\n`);
  source.push(...(opts.anonymous ? ['--allow-anonymous-ingest'] : ['--ingest-token-file', join(dir, 'ingest-token')]));
  const port = await freePort();
  // The bundled agent, as it ships (`npm run bench` builds it first); tsx would add a loader thread.
  // HERALD_AGENT_CLI=member/dist/cli.js measures the unbundled build instead.
  const child = spawn(process.execPath, [...AGENT_NODE_OPTIONS.split(' ').filter(Boolean), process.env['HERALD_AGENT_CLI'] ?? BUNDLED_CLI, ...source, '--data-dir', join(dir, 'data'), '--port', String(port), '--host', '127.0.0.1', '--log-level', 'error', ...AGENT_ARGS], { stdio: 'inherit', env: AGENT_ENV });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300 && !(await fetch(`${url}/readyz`).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 100));
  return { child, url, dataDir: dir, stop: () => new Promise((r) => (child.once('exit', () => r()), child.kill('SIGTERM'))) };
}

function load(url: string, opts: { duration?: number; amount?: number; perRequest: number; token?: string }): Promise<autocannon.Result> {
  let seq = 0;
  return autocannon({
    url: `${url}/api/v2/alerts`,
    method: 'POST',
    headers: ingestHeaders(opts.token),
    connections: CONNECTIONS,
    ...(opts.duration ? { duration: opts.duration } : {}),
    ...(opts.amount ? { amount: opts.amount } : {}),
    requests: [{ setupRequest: (req) => ({ ...req, body: body(seq++, opts.perRequest) }) }],
  });
}

const perSecond = (r: autocannon.Result): number => (r['2xx'] * PER_REQUEST) / (r.duration || DURATION);
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
const rssOf = (pid: number): { peak: number; now: number; anon: number; file: number } => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string): number => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
  return { peak: kb('VmHWM'), now: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') };
};
async function sinkStats(sink: string): Promise<{ received: number; latencies: number[] }> {
  return (await (await fetch(sink)).json()) as { received: number; latencies: number[] };
}

const PHASES = new Set((process.env['BENCH_PHASES'] ?? '1,2,3,4,5').split(','));
/** Flags for the agent's Node.js, as a Deployment would set them (see README). */
const AGENT_NODE_OPTIONS = process.env['HERALD_AGENT_NODE_OPTIONS'] ?? '--max-old-space-size=64 --max-semi-space-size=1';
const AGENT_ARGS = (process.env['HERALD_AGENT_ARGS'] ?? '--pipeline-heap-mb 32').split(' ').filter(Boolean);
/** The malloc settings of the agent's Deployment (see host/src/ctl/manifests.ts). */
const AGENT_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '16384', MALLOC_TRIM_THRESHOLD_: '65536', ...process.env };

async function heapOf(url: string): Promise<string> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const mb = (name: string): string => (Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20).toFixed(0);
  return `heap used ${mb('nodejs_heap_size_used_bytes')} MB of ${mb('nodejs_heap_size_total_bytes')} MB`;
}

/** BENCH_DEBUG=1: the slowest alert of each 50 in arrival order, for the first 100 and wherever over 30 ms. */
function printSlow(latencies: number[]): void {
  if (!process.env['BENCH_DEBUG']) return;
  for (let i = 0; i < latencies.length; i += 50) {
    const worst = Math.max(...latencies.slice(i, i + 50));
    if (i < 100 || worst > 30) console.log(`alerts ${i}-${i + 49}: slowest ${worst} ms`);
  }
}

/** Posts 1,000,000 alerts, waits until the sink has them all, and reports the agent's memory. */
async function peakRss(m: Proc & { url: string }, sink: string): Promise<string> {
  const before = (await sinkStats(sink)).received;
  const t0 = Date.now();
  const big = await load(m.url, { amount: 1_000_000 / PER_REQUEST, perRequest: PER_REQUEST });
  const acceptedAt = Date.now();
  let delivered = 0;
  while (delivered < big['2xx'] * PER_REQUEST && Date.now() - acceptedAt < 300_000) {
    await new Promise((res) => setTimeout(res, 1000));
    delivered = (await sinkStats(sink)).received - before;
  }
  const rss = rssOf(m.child.pid as number);
  const heap = await heapOf(m.url);
  await m.stop();
  return `peak RSS ${rss.peak.toFixed(0)} MB (now ${rss.now.toFixed(0)} MB: ${rss.anon.toFixed(0)} anonymous, ${rss.file.toFixed(0)} file-backed; main thread ${heap}); ${big['2xx'] * PER_REQUEST} accepted in ${((acceptedAt - t0) / 1000).toFixed(1)} s, ${delivered} delivered after ${((Date.now() - t0) / 1000).toFixed(1)} s${AGENT_NODE_OPTIONS ? `; node ${AGENT_NODE_OPTIONS}` : ''}${AGENT_ARGS.length ? `; agent ${AGENT_ARGS.join(' ')}` : ''}`;
}

/** Alertmanager's ServiceAccount, allowed to post alerts to the agent (agents/ingest), and a token of it. */
async function alertmanagerToken(kc: KubeConfig): Promise<string> {
  const { rawRequest } = await import('../shared/src/k8s/raw.js');
  const post = (path: string, object: unknown): Promise<string> => rawRequest(kc, 'POST', path, { body: JSON.stringify(object) }).catch(() => '');
  await post('/api/v1/namespaces', { metadata: { name: 'monitoring' } });
  await post('/api/v1/namespaces', { metadata: { name: 'herald-system' } });
  await post('/api/v1/namespaces/monitoring/serviceaccounts', { metadata: { name: 'alertmanager' } });
  const rbac = '/apis/rbac.authorization.k8s.io/v1/namespaces/herald-system';
  await post(`${rbac}/roles`, { metadata: { name: 'herald-ingest' }, rules: [{ apiGroups: ['herald.dev'], resources: ['agents/ingest'], verbs: ['create'] }] });
  await post(`${rbac}/rolebindings`, {
    metadata: { name: 'herald-ingest' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'herald-ingest' },
    subjects: [{ kind: 'ServiceAccount', name: 'alertmanager', namespace: 'monitoring' }],
  });
  const issued = await rawRequest(kc, 'POST', '/api/v1/namespaces/monitoring/serviceaccounts/alertmanager/token', { body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} }) });
  return (JSON.parse(issued) as { status: { token: string } }).status.token;
}

async function main(): Promise<void> {
  const results: [string, string][] = [];
  const say = (name: string, value: string): void => {
    results.push([name, value]);
    console.log(`${name}: ${value}`);
  };

  // 1. Ceiling.
  if (PHASES.has('1')) {
  const ceilingDir = mkdtempSync(join(tmpdir(), 'herald-ceiling-'));
  const ceilingPort = await freePort();
  const ceiling = await start(here('./ceiling-server.ts'), [join(ceilingDir, 'c.db'), String(ceilingPort)]);
  const c = await load(`http://127.0.0.1:${ceilingPort}`, { duration: DURATION, perRequest: PER_REQUEST });
  await ceiling.stop();
  rmSync(ceilingDir, { recursive: true, force: true });
  say('ceiling (bare parse + row-per-alert insert)', `${Math.round(perSecond(c))} alerts/s (${c['2xx']} requests of ${PER_REQUEST}, p99 ${c.latency.p99} ms)`);
  }

  const sinkPort = await freePort();
  const sink = `http://127.0.0.1:${sinkPort}/`;
  const sinkProc = await start(here('./sink-server.ts'), [String(sinkPort)]);

  // 2. Agent ingest.
  if (PHASES.has('2')) {
    const a = await startAgent({ batchMaxWait: '5s', sink });
    const r = await load(a.url, { duration: DURATION, perRequest: PER_REQUEST });
    say('agent ingest (accepted durably)', `${Math.round(perSecond(r))} alerts/s (${r['2xx']} requests of ${PER_REQUEST}, ${r.non2xx} non-2xx, p99 ${r.latency.p99} ms)`);
    await a.stop();
    // The same without the token check, for what authentication costs (measured in the same run).
    const open = await startAgent({ batchMaxWait: '5s', sink, anonymous: true });
    const o = await load(open.url, { duration: DURATION, perRequest: PER_REQUEST });
    say('agent ingest without authentication (--allow-anonymous-ingest)', `${Math.round(perSecond(o))} alerts/s (${o['2xx']} requests of ${PER_REQUEST}, ${o.non2xx} non-2xx, p99 ${o.latency.p99} ms)`);
    await open.stop();
  }

  // 3. Latency at 1,000 alerts/s with batch wait 0: 100 requests a second of 10 alerts, each
  // stamped when it is sent (a rate-limited autocannon stamps requests before it holds them back).
  if (PHASES.has('3')) {
  const b = await startAgent({ batchMaxWait: '0s', sink });
  await sinkStats(sink);
  const sends: Promise<unknown>[] = [];
  for (let seq = 0, t0 = Date.now(); seq < 100 * DURATION; seq++) {
    const wait = t0 + seq * 10 - Date.now();
    if (wait > 0) await new Promise((res) => setTimeout(res, wait));
    sends.push(fetch(`${b.url}/api/v2/alerts`, { method: 'POST', headers: ingestHeaders(), body: body(seq, 10, Date.now()) }));
  }
  await Promise.all(sends);
  await new Promise((res) => setTimeout(res, 2000));
  const { latencies } = await sinkStats(sink);
  // The first second is a cold start (both threads compiling their hot paths, first connections):
  // shown apart, so the steady figure and the start-up cost are both visible.
  const warm = latencies.slice(1000);
  printSlow(latencies);
  say(
    'end-to-end latency at 1,000 alerts/s, batch wait 0',
    `p50 ${pct(latencies, 50)} ms, p99 ${pct(latencies, 99)} ms, max ${Math.max(...latencies)} ms (${latencies.length} alerts); after the first second: p99 ${pct(warm, 99)} ms, max ${Math.max(...warm)} ms`,
  );
  await b.stop();
  }

  // 4. Peak RSS after 1,000,000 alerts; 5. the same with the agent in a cluster (informers, Lease
  // heartbeat and Events watch on a real kube-apiserver), as a member runs it.
  if (PHASES.has('4')) say('agent after 1,000,000 alerts', await peakRss(await startAgent({ batchMaxWait: '5s', sink }), sink));
  if (PHASES.has('5')) {
    const { startClusters } = await import('../test/harness/clusters.js');
    const { apply } = await import('../test/support/manifests.js');
    const set = await startClusters({ names: ['bench'] });
    for (const o of benchObjects('5s', sink)) await apply(set.kubeConfig('bench'), o);
    // Ingest with Alertmanager's ServiceAccount token, on an agent of its own (stopped before the
    // memory run, so none of its deliveries reach the sink during that one).
    const reviewed = await startAgent({ batchMaxWait: '5s', sink, kubeconfig: set.get('bench').kubeconfigPath });
    const saToken = await alertmanagerToken(set.kubeConfig('bench'));
    const r = await load(reviewed.url, { duration: DURATION, perRequest: PER_REQUEST, token: saToken });
    say('agent ingest with a ServiceAccount token', `${Math.round(perSecond(r))} alerts/s (${r['2xx']} requests of ${PER_REQUEST}, ${r.non2xx} non-2xx, p99 ${r.latency.p99} ms)`);
    await reviewed.stop();
    const agent = await startAgent({ batchMaxWait: '5s', sink, kubeconfig: set.get('bench').kubeconfigPath });
    say('agent in a cluster after 1,000,000 alerts', await peakRss(agent, sink));
    await set.stop();
  }
  await sinkProc.stop();

  console.log('\nsummary');
  for (const [k, v] of results) console.log(`  ${k.padEnd(52)} ${v}`);
}

await main();
