/** vitest global setup for integration tests: one host and two members for the whole run. */
import type { TestProject } from 'vitest/node';
import { startTestClusters, type TestClusters } from './provider.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Cluster name → kubeconfig path. */
    kubeconfigs: Record<string, string>;
  }
}

let clusters: TestClusters | undefined;

export async function setup(project: TestProject): Promise<void> {
  clusters = await startTestClusters(['host', 'member-a', 'member-b'], (line) => console.log(line));
  console.log(`harness: ${clusters.description}`);
  project.provide('kubeconfigs', clusters.kubeconfigs);
}

export async function teardown(): Promise<void> {
  await clusters?.stop();
}
