/**
 * Which control planes the integration tests run on: `binary` (default: kube-apiserver and etcd
 * built from Go modules) or `k3s` (real k3s clusters through testcontainers; needs Docker).
 */
import { join } from 'node:path';
import { HARNESS_ROOT, startClusters } from './clusters.js';

export type Provider = 'binary' | 'k3s';

/** What the tests get, whichever provider made it. */
export interface TestClusters {
  /** Cluster name → kubeconfig path. */
  kubeconfigs: Record<string, string>;
  description: string;
  stop(): Promise<void>;
}

export function providerFromEnv(env: NodeJS.ProcessEnv = process.env): Provider {
  const value = env['HERALD_CLUSTER_PROVIDER'] ?? 'binary';
  if (value === 'binary' || value === 'k3s') return value;
  throw new Error(`HERALD_CLUSTER_PROVIDER=${value} is not a provider; use binary or k3s`);
}

export async function startTestClusters(names: string[], log: (line: string) => void): Promise<TestClusters> {
  if (providerFromEnv() === 'k3s') {
    const { startK3sClusters } = await import('./k3s.js');
    return startK3sClusters(names, join(HARNESS_ROOT, `k3s-${process.pid}-${Date.now()}`));
  }
  const set = await startClusters({ names, log });
  const t = set.timings;
  const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  return {
    kubeconfigs: Object.fromEntries([...set.clusters].map(([name, server]) => [name, server.kubeconfigPath])),
    description:
      `${names.join(' + ')} ready in ${s(t.totalMs)} ` +
      `(etcd ${s(t.etcdMs)}, API servers ${s(t.apiServersMs)}, CRDs ${s(t.crdsMs)})`,
    stop: () => set.stop(),
  };
}
