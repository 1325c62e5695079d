/**
 * A real `helm install` of charts/herald-agent on a bare control plane (no CRDs): Helm installs
 * the chart's CRDs and objects; an upgrade keeps the ingest token the install made (as join keeps
 * its own); an uninstall removes the agent but keeps the secret namespace it created. Then
 * charts/herald on the same cluster: the host's CRDs beside the ones already there, and an
 * uninstall that keeps herald-clusters (the members' kubeconfigs).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClusters, type ClusterSet } from '../harness/clusters.js';
import { rawRequest } from '../harness/crds.js';
import { chartDir, helm } from '../support/helm.js';

let set: ClusterSet;
let kc: KubeConfig;
let kubeconfig = '';
const getJson = async (path: string): Promise<Record<string, unknown> | undefined> => rawRequest(kc, 'GET', path).then((t) => JSON.parse(t) as Record<string, unknown>, () => undefined);
const token = async (): Promise<string> => {
  const secret = (await getJson('/api/v1/namespaces/herald-system/secrets/herald-agent-ingest-token')) as { data: { token: string } };
  return Buffer.from(secret.data.token, 'base64').toString();
};
const agent = (...args: string[]): Promise<{ code: number; out: string }> =>
  helm(...args, 'herald-agent', chartDir('herald-agent'), '--kubeconfig', kubeconfig, '--namespace', 'herald-system', '--set', 'cluster=helm-member', '--set', 'secretNamespaces={team-h}');

beforeAll(async () => {
  set = await startClusters({ names: ['helm-member'], crds: false });
  kc = set.kubeConfig('helm-member');
  kubeconfig = set.get('helm-member').kubeconfigPath;
}, 120_000);

afterAll(async () => {
  await set?.stop();
});

describe('helm install of charts/herald-agent', () => {
  let first = '';
  it('installs the CRDs and the agent', async () => {
    const { code, out } = await agent('install', '--create-namespace');
    expect(out).toContain('STATUS: deployed');
    expect(code).toBe(0);
    expect(await getJson('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/receivers.herald.dev')).toBeDefined();
    expect(await getJson('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/memberclusters.herald.dev')).toBeUndefined();
    expect(await getJson('/apis/apps/v1/namespaces/herald-system/deployments/herald-agent')).toMatchObject({ metadata: { labels: { 'herald.dev/cluster': 'helm-member' } } });
    expect(await getJson('/apis/rbac.authorization.k8s.io/v1/namespaces/team-h/roles/herald-propagator-secrets')).toBeDefined();
    first = await token();
    expect(first).toMatch(/^[A-Za-z0-9]{43}$/);
  });

  it('keeps the ingest token across an upgrade', async () => {
    const { code, out } = await agent('upgrade');
    expect(out).toContain('has been upgraded');
    expect(code).toBe(0);
    expect(await token()).toBe(first);
  });

  it('uninstalls the agent, and keeps the secret namespace and the CRDs', async () => {
    const { code, out } = await helm('uninstall', 'herald-agent', '--kubeconfig', kubeconfig, '--namespace', 'herald-system');
    expect(out).toContain('uninstalled');
    expect(code).toBe(0);
    expect(await getJson('/apis/apps/v1/namespaces/herald-system/deployments/herald-agent')).toBeUndefined();
    expect(await getJson('/apis/rbac.authorization.k8s.io/v1/clusterroles/herald-agent')).toBeUndefined();
    expect(await getJson('/api/v1/namespaces/team-h')).toBeDefined();
    expect(await getJson('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/receivers.herald.dev')).toBeDefined();
  });
});

describe('helm install of charts/herald', () => {
  it('installs the missing CRDs and the host, and an uninstall keeps herald-clusters', async () => {
    const host = (...args: string[]): Promise<{ code: number; out: string }> => helm(...args, '--kubeconfig', kubeconfig, '--namespace', 'herald-system');
    const installed = await host('install', 'herald', chartDir('herald'), '--set', 'secretNamespaces={herald-system,team-h}');
    expect(installed.out).toContain('STATUS: deployed');
    expect(installed.code).toBe(0);
    expect(await getJson('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/memberclusters.herald.dev')).toBeDefined();
    expect(await getJson('/apis/apps/v1/namespaces/herald-system/deployments/herald-host')).toMatchObject({ spec: { replicas: 2 } });
    expect(await getJson('/apis/networking.k8s.io/v1/namespaces/herald-system/networkpolicies/herald-host')).toBeDefined();
    expect(await getJson('/apis/rbac.authorization.k8s.io/v1/namespaces/team-h/roles/herald-host-secrets')).toBeDefined();
    const removed = await host('uninstall', 'herald');
    expect(removed.code).toBe(0);
    expect(await getJson('/apis/apps/v1/namespaces/herald-system/deployments/herald-host')).toBeUndefined();
    expect(await getJson('/apis/rbac.authorization.k8s.io/v1/namespaces/team-h/roles/herald-host-secrets')).toBeUndefined();
    expect(await getJson('/api/v1/namespaces/herald-clusters')).toBeDefined();
  });
});
