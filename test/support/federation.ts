/** Registering harness clusters with a host, as `heraldctl join` will: a kubeconfig Secret and a MemberCluster. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { endpointOf } from '../../host/src/ctl/join.js';
import { tokenKubeconfig } from '../../host/src/ctl/kubeconfig.js';
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

/** A kubeconfig file that is a member's ServiceAccount (a TokenRequest token), as its pod would be. */
export async function serviceAccountKubeconfig(set: ClusterSet, cluster: string, serviceAccount: string): Promise<string> {
  const kc = set.kubeConfig(cluster);
  const path = `/api/v1/namespaces/herald-system/serviceaccounts/${serviceAccount}/token`;
  const answer = JSON.parse(await rawRequest(kc, 'POST', path, { body: JSON.stringify({ spec: { expirationSeconds: 3600 } }) })) as { status: { token: string } };
  const file = join(mkdtempSync(join(tmpdir(), `herald-${serviceAccount}-`)), 'kubeconfig');
  writeFileSync(file, tokenKubeconfig({ cluster, endpoint: endpointOf(kc), user: serviceAccount, token: answer.status.token }));
  return file;
}
