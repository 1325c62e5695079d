/** Registering harness clusters with a host, as `heraldctl join` will: a kubeconfig Secret and a MemberCluster. */
import { readFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ClusterSet } from '../harness/clusters.js';
import { rawRequest } from '../harness/crds.js';
import { apply } from './manifests.js';

export async function registerMembers(host: KubeConfig, set: ClusterSet, members: Record<string, Record<string, string>>): Promise<void> {
  await rawRequest(host, 'POST', '/api/v1/namespaces', { body: JSON.stringify({ metadata: { name: 'herald-system' } }) }).catch(() => undefined);
  for (const [name, labels] of Object.entries(members)) {
    const kubeconfig = readFileSync(set.get(name).kubeconfigPath, 'utf8');
    await apply(host, { apiVersion: 'v1', kind: 'Secret', metadata: { name: `${name}-kubeconfig`, namespace: 'herald-system' }, stringData: { kubeconfig } } as never);
    await apply(host, { apiVersion: 'herald.dev/v1alpha1', kind: 'MemberCluster', metadata: { name, labels }, spec: { kubeconfigSecretRef: { name: `${name}-kubeconfig`, key: 'kubeconfig' } } } as never);
  }
}
