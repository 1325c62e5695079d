/**
 * Registering harness clusters with a host, as `heraldctl join` does: a kubeconfig Secret in
 * herald-clusters and a MemberCluster, and on each member the namespaces Herald may write Secrets
 * to (join creates them; the controller does not). The member is reached with the admin kubeconfig.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { endpointOf } from '../../host/src/ctl/join.js';
import { tokenKubeconfig } from '../../host/src/ctl/kubeconfig.js';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ClusterSet } from '../harness/clusters.js';
import { rawRequest } from '../harness/crds.js';
import { apply } from './manifests.js';

const createNamespace = (kc: KubeConfig, name: string): Promise<unknown> =>
  rawRequest(kc, 'POST', '/api/v1/namespaces', { body: JSON.stringify({ metadata: { name } }) }).catch(() => undefined);

export async function registerMembers(
  host: KubeConfig,
  set: ClusterSet,
  members: Record<string, Record<string, string>>,
  opts: { secretNamespaces?: string[] } = {},
): Promise<void> {
  const secretNamespaces = [...new Set(['herald-system', ...(opts.secretNamespaces ?? [])])];
  for (const ns of ['herald-system', 'herald-clusters']) await createNamespace(host, ns);
  for (const [name, labels] of Object.entries(members)) {
    for (const ns of secretNamespaces) await createNamespace(set.kubeConfig(name), ns);
    const kubeconfig = readFileSync(set.get(name).kubeconfigPath, 'utf8');
    await apply(host, { apiVersion: 'v1', kind: 'Secret', metadata: { name: `${name}-kubeconfig`, namespace: 'herald-clusters' }, stringData: { kubeconfig } } as never);
    const spec = { kubeconfigSecretRef: { namespace: 'herald-clusters', name: `${name}-kubeconfig`, key: 'kubeconfig' }, secretNamespaces };
    await apply(host, { apiVersion: 'herald.dev/v1alpha1', kind: 'MemberCluster', metadata: { name, labels }, spec } as never);
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
