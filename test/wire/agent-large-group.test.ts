/**
 * A large Alertmanager group in one request (issue #12): Alertmanager sends a whole group per
 * webhook call unless `max_alerts` limits it, and groups pass 10,000 alerts. The agent as it ships
 * (its bundle, built here into a folder of this test's own), under the Deployment's heap flags and
 * the default --pipeline-heap-mb and JSON bounds: a 20,000-alert body (~6 MB) and one just under
 * the 8 MiB body limit are accepted with 200 and every alert is delivered, in batches, within the
 * Deployment's memory limit.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleAgent } from '../../hack/bundle-agent.js';
import { configDir, startAgent, type AgentProcess } from './agent-process.js';
import { startHttpServer, type TestHttpServer } from './http-server.js';
import { until } from '../support/eventually.js';

const API = 'herald.dev/v1alpha1';
/** What `heraldctl join` gives the agent's container (its memory limit is 256 Mi). */
const DEPLOYMENT_ENV = {
  NODE_OPTIONS: '--max-old-space-size=64 --max-semi-space-size=1',
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '16384',
  MALLOC_TRIM_THRESHOLD_: '65536',
};
const BODY_LIMIT = 8 * 1024 * 1024;
const CACHE = fileURLToPath(new URL('../../.cache/', import.meta.url));

/** One alert as Alertmanager sends it: ~320 bytes (the were ~280), 5 labels, a summary. */
const alert = (group: string, i: number) => ({
  status: 'firing',
  labels: { alertname: group, namespace: `team-${i % 40}`, pod: `api-${String(i).padStart(6, '0')}`, severity: 'warning', job: 'kubelet' },
  annotations: { summary: `api-${i} restarts` },
  startsAt: '2026-12-02T10:00:00Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://prometheus:9090/graph',
  fingerprint: (i * 2654435761).toString(16).padStart(16, '0').slice(-16),
});
const body = (group: string, count: number): string =>
  JSON.stringify({
    version: '4',
    groupKey: `{}:{alertname="${group}"}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'herald',
    groupLabels: { alertname: group },
    commonLabels: { alertname: group, severity: 'warning', container: 'api' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager-main.monitoring:9093',
    alerts: Array.from({ length: count }, (_, i) => alert(group, i)),
  });

/** Peak resident memory of a process so far (VmHWM), in MiB. */
const peakRssMb = (pid: number): number => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmHWM:')) ?? '';
  return Number(/(\d+)/.exec(line)?.[1] ?? 0) / 1024;
};

let sink: TestHttpServer;
let agent: AgentProcess;
let bundle: string;

/** The distinct pods delivered for a group, across every batch the sink received. */
const deliveredPods = (group: string): Set<string> => {
  const pods = new Set<string>();
  for (const r of sink.requests) {
    const payload = JSON.parse(r.body) as { alerts: { labels: Record<string, string> }[] };
    for (const a of payload.alerts) if (a.labels['alertname'] === group) pods.add(a.labels['pod'] ?? '');
  }
  return pods;
};

beforeAll(async () => {
  // Inside the repository, so the bundle finds better-sqlite3 (kept outside it) in node_modules.
  mkdirSync(CACHE, { recursive: true });
  bundle = mkdtempSync(join(CACHE, 'bundle-'));
  await bundleAgent(bundle);
  sink = await startHttpServer({ handler: () => ({ status: 200, body: 'ok' }) });
  const dir = configDir([
    { apiVersion: API, kind: 'Settings', metadata: { name: 'default' }, spec: { batchMaxWait: '0s', groupLabels: ['alertname'] } },
    { apiVersion: API, kind: 'Receiver', metadata: { name: 'sink', labels: { type: 'global' } }, spec: { webhook: { url: sink.origin } } },
  ]);
  agent = await startAgent({ configDir: dir, env: DEPLOYMENT_ENV, bundleCli: join(bundle, 'cli.js') });
});
afterAll(async () => {
  await agent?.stop();
  await sink?.close();
  if (bundle) rmSync(bundle, { recursive: true, force: true });
});

describe('a large Alertmanager group in one request', () => {
  it.each([
    ['20,000 alerts (~6 MB)', 'Group20k', 20_000],
    // ~25,500 alerts, ~690,000 JSON values: more than the 600,000 --max-json-values allowed before.
    ['as many as fit under the 8 MiB body limit', 'GroupAtLimit', 0],
  ])('%s: accepted with 200 and every alert delivered', { timeout: 600_000 }, async (_name, group, wanted) => {
    // For the second case, the largest count whose body stays under the limit.
    let count = wanted || Math.floor(BODY_LIMIT / (body(group, 20_000).length / 20_000));
    while (body(group, count).length >= BODY_LIMIT) count -= 100;
    const text = body(group, count);
    expect(text.length).toBeLessThan(BODY_LIMIT);
    if (wanted) expect(text.length).toBeGreaterThan(5_000_000);
    else expect(text.length).toBeGreaterThan(BODY_LIMIT - 64 * 1024);
    const res = await fetch(`${agent.url}/api/v2/alerts`, { method: 'POST', headers: agent.headers('ingest'), body: text });
    expect(await res.json()).toEqual({ status: 200, message: `accepted ${count} alerts` });
    // Polled every 250 ms, not 100: each look re-reads every batch the sink got (tens of MB).
    await until(`all ${count} alerts of ${group} delivered`, () => deliveredPods(group).size === count, { ms: 480_000, every: 250 });
    // Delivered in batches of at most about 2 MiB (the pipeline's bound), not as one 6 MB send.
    const batches = sink.requests.filter((r) => r.body.includes(`"${group}"`));
    expect(batches.length).toBeGreaterThan(1);
    expect(Math.max(...batches.map((r) => r.body.length))).toBeLessThan(4 * 1024 * 1024);
    const metrics = await (await fetch(`${agent.url}/metrics`, { headers: agent.headers('admin') })).text();
    expect(metrics).toMatch(/^herald_dead_letters 0$/m);
    // Within the Deployment's 256 Mi limit, with room to spare.
    expect(peakRssMb(agent.pid)).toBeLessThan(230);
  });
});
