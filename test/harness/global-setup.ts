/** vitest global setup for integration tests: one host and two members for the whole run. */
import type { TestProject } from 'vitest/node';
import { startClusters, type ClusterSet } from './clusters.js';
import { providerFromEnv } from './provider.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Cluster name → kubeconfig path. */
    kubeconfigs: Record<string, string>;
  }
}

let set: ClusterSet | undefined;

export async function setup(project: TestProject): Promise<void> {
  providerFromEnv();
  set = await startClusters({ log: (line) => console.log(line) });
  const t = set.timings;
  console.log(
    `harness: host + 2 members ready in ${(t.totalMs / 1000).toFixed(1)} s ` +
      `(etcd ${(t.etcdMs / 1000).toFixed(1)} s, API servers ${(t.apiServersMs / 1000).toFixed(1)} s, CRDs ${(t.crdsMs / 1000).toFixed(1)} s)`,
  );
  project.provide('kubeconfigs', Object.fromEntries([...set.clusters].map(([name, s]) => [name, s.kubeconfigPath])));
}

export async function teardown(): Promise<void> {
  await set?.stop();
}
