/**
 * Two host controller processes on a real host API server: one leads and propagates, the other
 * stands by; when the leader is killed the standby takes the Lease and propagates; a leader that
 * stops cleanly hands over at once. The admin API shows the members and the propagation matrix.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClusters, type ClusterSet } from '../harness/clusters.js';
import { rawRequest } from '../harness/crds.js';
import { registerMembers } from '../support/federation.js';
import { startHost, type HostProcess } from '../support/host-process.js';
import { apply } from '../support/manifests.js';
import { metricsFindings } from '../support/promtool.js';
import { until } from '../support/eventually.js';

let set: ClusterSet;
let hub: KubeConfig;
const hosts: HostProcess[] = [];

/** How long a wait may take, and what a timed-out one shows: the tail of each host's output. */
const wait = { ms: 40_000, detail: () => hosts.map((h) => `${h.id}: ${h.output().slice(-2000)}`).join('\n') };
const lease = async (): Promise<{ holderIdentity?: string; leaseTransitions?: number }> =>
  (JSON.parse(await rawRequest(hub, 'GET', '/apis/coordination.k8s.io/v1/namespaces/herald-system/leases/herald-host')) as { spec: { holderIdentity?: string; leaseTransitions?: number } }).spec;
const leaderFlag = async (h: HostProcess): Promise<boolean> => ((await (await fetch(`${h.url}/readyz`)).json()) as { leader: boolean }).leader;
const receiver = (name: string) => ({ apiVersion: 'herald.dev/v1alpha1', kind: 'Receiver', metadata: { name, labels: { type: 'global' } }, spec: { webhook: { url: `http://${name}.example/` } } });
const onMember = async (name: string): Promise<boolean> =>
  rawRequest(set.kubeConfig('member-a'), 'GET', `/apis/herald.dev/v1alpha1/receivers/${name}`).then(() => true, () => false);

beforeAll(async () => {
  set = await startClusters({ names: ['hub', 'member-a'] });
  hub = set.kubeConfig('hub');
  await registerMembers(hub, set, { 'member-a': { env: 'prod' } });
  const kubeconfig = set.get('hub').kubeconfigPath;
  const args = ['--lease-seconds', '4', '--resync-seconds', '2'];
  hosts.push(await startHost({ kubeconfig, id: 'host-1', args }), await startHost({ kubeconfig, id: 'host-2', args }));
}, 120_000);

afterAll(async () => {
  for (const h of hosts) if (!h.exited) await h.kill();
  await set?.stop();
});

describe('two host replicas', () => {
  it('elect one leader, which propagates; the other stands by', async () => {
    await until('a leader', async () => ['host-1', 'host-2'].includes((await lease()).holderIdentity ?? ''), wait);
    const holder = (await lease()).holderIdentity;
    const [leader, standby] = holder === 'host-1' ? [hosts[0], hosts[1]] : [hosts[1], hosts[0]];
    expect(await leaderFlag(leader as HostProcess)).toBe(true);
    expect(await leaderFlag(standby as HostProcess)).toBe(false);
    const scrape = await (await fetch(`${(standby as HostProcess).url}/metrics`)).text();
    expect(scrape).toMatch(/^herald_host_leader 0$/m);
    // Node's own metrics under their standard names, as dashboards expect.
    expect(scrape).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(scrape).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(await metricsFindings(scrape)).toBe('');
    await apply(hub, receiver('first'));
    await until('first on member-a', () => onMember('first'), wait);
  });

  it('the standby takes over when the leader is killed, and propagates', async () => {
    const before = await lease();
    const leader = hosts.find((h) => h.id === before.holderIdentity) as HostProcess;
    const standby = hosts.find((h) => h !== leader) as HostProcess;
    await leader.kill();
    await until('the standby leads', async () => (await lease()).holderIdentity === standby.id, wait);
    expect((await lease()).leaseTransitions).toBe((before.leaseTransitions ?? 0) + 1);
    expect(await leaderFlag(standby)).toBe(true);
    await apply(hub, receiver('second'));
    await until('second on member-a', () => onMember('second'), wait);
  });

  it('shows members and the propagation matrix in the admin API', async () => {
    const h = hosts.find((x) => !x.exited) as HostProcess;
    await until('member-a Ready in the admin API', async () => {
      const { clusters } = (await (await fetch(`${h.url}/api/v1/clusters`, { headers: h.headers() })).json()) as { clusters: { name: string; ready: string; kubernetesVersion?: string }[] };
      return clusters.length === 1 && clusters[0]?.name === 'member-a' && clusters[0].ready === 'True' && (clusters[0].kubernetesVersion ?? '').startsWith('v1.');
    }, wait);
    await until('the matrix says second is Applied on member-a', async () => {
      const { objects } = (await (await fetch(`${h.url}/api/v1/propagation`, { headers: h.headers() })).json()) as { objects: { kind: string; name: string; clusters: Record<string, string> }[] };
      return objects.some((o) => o.kind === 'Receiver' && o.name === 'second' && o.clusters['member-a'] === 'Applied');
    }, wait);
  });

  it('a leader that stops cleanly releases the Lease, so a new replica leads without waiting it out', async () => {
    const leader = hosts.find((x) => !x.exited) as HostProcess;
    await leader.stop();
    expect((await lease()).holderIdentity).toBe('');
    const started = Date.now();
    hosts.push(await startHost({ kubeconfig: set.get('hub').kubeconfigPath, id: 'host-3', args: ['--lease-seconds', '30'] }));
    await until('host-3 leads', async () => (await lease()).holderIdentity === 'host-3', wait);
    // Far less than the 30 s lease a dead leader would leave behind.
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
