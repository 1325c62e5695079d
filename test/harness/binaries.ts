/** Where the harness finds kube-apiserver and etcd (built by hack/build-k8s.sh). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Binaries {
  kubeApiserver: string;
  etcd: string;
}

export function findBinaries(): Binaries {
  const dir = process.env['HERALD_K8SBIN'] ?? join(REPO_ROOT, '.cache', 'k8sbin');
  const bins = { kubeApiserver: join(dir, 'kube-apiserver'), etcd: join(dir, 'etcd') };
  for (const path of Object.values(bins)) {
    if (!existsSync(path)) {
      throw new Error(`${path} is missing: run \`npm run k8s:build\` (builds kube-apiserver and etcd with Go)`);
    }
  }
  return bins;
}
