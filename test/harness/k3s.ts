/**
 * The optional provider: real k3s clusters in containers through testcontainers. Chosen with
 * HERALD_CLUSTER_PROVIDER=k3s; the image can be set with HERALD_K3S_IMAGE.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { REPO_ROOT } from './binaries.js';
import { installCrds } from './crds.js';
import type { TestClusters } from './provider.js';

const DEFAULT_K3S_IMAGE = 'rancher/k3s:v1.35.4-k3s1';

/** Fails with a clear message unless testcontainers finds a working container runtime. */
export async function requireDocker(): Promise<void> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
  } catch (err) {
    throw new Error(
      'HERALD_CLUSTER_PROVIDER=k3s needs a Docker engine, and testcontainers found none ' +
        `(${(err as Error).message}). Unset HERALD_CLUSTER_PROVIDER to use the built-in kube-apiserver and etcd.`,
    );
  }
}

export async function startK3sClusters(names: string[], runDir: string): Promise<TestClusters> {
  await requireDocker();
  const { K3sContainer } = await import('@testcontainers/k3s');
  const image = process.env['HERALD_K3S_IMAGE'] ?? DEFAULT_K3S_IMAGE;
  const started = await Promise.all(names.map(() => new K3sContainer(image).start()));
  const stop = async (): Promise<void> => {
    await Promise.all(started.map((c) => c.stop()));
  };
  try {
    const kubeconfigs: Record<string, string> = {};
    for (const [i, name] of names.entries()) {
      const dir = join(runDir, name);
      mkdirSync(dir, { recursive: true });
      const path = join(dir, 'kubeconfig');
      writeFileSync(path, (started[i] as (typeof started)[number]).getKubeConfig(), { mode: 0o600 });
      const kc = new KubeConfig();
      kc.loadFromFile(path);
      await installCrds(kc, join(REPO_ROOT, 'crds'));
      kubeconfigs[name] = path;
    }
    return { kubeconfigs, description: `${names.length} k3s clusters (${image})`, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
