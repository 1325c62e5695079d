/**
 * Propagation figures (printed, not asserted):
 *  - latency from a change on the host to the member's copy carrying it, p50/p99, with 2 and with
 *    10 members (10 kube-apiservers on one etcd);
 *  - time for 1,000 receivers created on the host to be on all 10 members.
 * The agent then picks a change up through its informer (plus a 100 ms debounce).
 */
import { PropagationController } from '../host/src/propagation/controller.js';
import { startClusters, type ClusterSet } from '../test/harness/clusters.js';
import { rawRequest } from '../test/harness/crds.js';
import { apply } from '../test/support/manifests.js';
import { registerMembers } from '../test/support/federation.js';

const API = 'herald.dev/v1alpha1';
const ITERATIONS = Number(process.env['BENCH_PROPAGATION_ITERATIONS'] ?? 40);
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

async function federation(members: number): Promise<{ set: ClusterSet; controller: PropagationController; names: string[] }> {
  const names = Array.from({ length: members }, (_, i) => `member-${i + 1}`);
  const set = await startClusters({ names: ['host', ...names] });
  const host = set.kubeConfig('host');
  await registerMembers(host, set, Object.fromEntries(names.map((n) => [n, {}])));
  // Event-driven only: the periodic resync is set far out so it cannot flatter the figures.
  const controller = new PropagationController({ kc: host, log: () => undefined, resyncMs: 600_000 });
  await controller.start();
  return { set, controller, names };
}

const channelOn = async (set: ClusterSet, member: string): Promise<string | undefined> =>
  rawRequest(set.kubeConfig(member), 'GET', `/apis/${API}/receivers/probe`).then(
    (t) => (JSON.parse(t) as { spec: { slack: { channels: string[] } } }).spec.slack.channels[0],
    () => undefined,
  );

async function latency(members: number): Promise<string> {
  const { set, controller, names } = await federation(members);
  const host = set.kubeConfig('host');
  const probe = (i: number): never => ({ apiVersion: API, kind: 'Receiver', metadata: { name: 'probe', labels: { type: 'global' } }, spec: { slack: { channels: [`#${i}`] } } }) as never;
  await apply(host, probe(-1));
  for (const m of names) while ((await channelOn(set, m)) !== '#-1') await new Promise((r) => setTimeout(r, 20));
  const samples: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = performance.now();
    await apply(host, probe(i));
    await Promise.all(
      names.map(async (m) => {
        while ((await channelOn(set, m)) !== `#${i}`) await new Promise((r) => setTimeout(r, 2));
        samples.push(performance.now() - t0);
      }),
    );
  }
  await controller.stop();
  await set.stop();
  return `p50 ${pct(samples, 50).toFixed(0)} ms, p99 ${pct(samples, 99).toFixed(0)} ms (${samples.length} samples)`;
}

async function fanOut(): Promise<string> {
  const { set, controller, names } = await federation(10);
  const host = set.kubeConfig('host');
  const t0 = performance.now();
  const ids = Array.from({ length: 1000 }, (_, i) => i);
  for (let i = 0; i < ids.length; i += 20) {
    await Promise.all(ids.slice(i, i + 20).map((n) => apply(host, { apiVersion: API, kind: 'Receiver', metadata: { name: `r-${n}`, labels: { type: 'global' } }, spec: { webhook: { url: `http://sink.invalid/${n}` } } } as never)));
  }
  const created = performance.now() - t0;
  // A one-item page says how many remain: counting this way does not load the API servers it measures.
  const count = async (m: string): Promise<number> => {
    const page = JSON.parse(await rawRequest(set.kubeConfig(m), 'GET', `/apis/${API}/receivers?limit=1`)) as { items: unknown[]; metadata: { remainingItemCount?: number } };
    return page.items.length + (page.metadata.remainingItemCount ?? 0);
  };
  const deadline = Date.now() + 300_000;
  let counts: number[] = [];
  while (Date.now() < deadline) {
    counts = await Promise.all(names.map(count));
    if (counts.every((c) => c >= 1000)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const total = performance.now() - t0;
  await controller.stop();
  await set.stop();
  const done = counts.every((c) => c >= 1000);
  return `${done ? 'all on 10 members' : `NOT all there (${counts.join(', ')})`} ${(total / 1000).toFixed(1)} s after the first was created (creating them on the host took ${(created / 1000).toFixed(1)} s)`;
}

const phases = new Set((process.env['BENCH_PROPAGATION_PHASES'] ?? 'latency2,latency10,fanout').split(','));
const results: [string, string][] = [];
const run = async (phase: string, name: string, fn: () => Promise<string>): Promise<void> => {
  if (!phases.has(phase)) return;
  results.push([name, await fn()]);
  console.log(results.at(-1)?.join(': '));
};
await run('latency2', 'host change → member copy, 2 members', () => latency(2));
await run('latency10', 'host change → member copy, 10 members', () => latency(10));
await run('fanout', '1,000 receivers → 10 members', fanOut);
console.log('\nsummary');
for (const [k, v] of results) console.log(`  ${k.padEnd(40)} ${v}`);
