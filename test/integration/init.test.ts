/**
 * heraldctl init on a bare control plane (no Herald CRDs): it installs every CRD (Established),
 * the namespaces, herald-host's ServiceAccount and grants, and its Deployment, Service and
 * PodDisruptionBudget — exactly hostManifests(), which the chart renders too. A re-run is safe,
 * and bad input gets a one-line error before anything is applied.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClusters, type ClusterSet } from '../harness/clusters.js';
import { rawRequest } from '../harness/crds.js';
import { HOST_DEFAULTS, hostManifests } from '../../host/src/ctl/host-manifests.js';
import { pathOf } from '../../shared/src/k8s/raw.js';

const CTL = fileURLToPath(new URL('../../host/src/ctl/cli.ts', import.meta.url));
let set: ClusterSet;
let kc: KubeConfig;

function heraldctl(...args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CTL, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => resolve({ code, out }));
  });
}
const getJson = async (path: string): Promise<Record<string, unknown> | undefined> => rawRequest(kc, 'GET', path).then((t) => JSON.parse(t) as Record<string, unknown>, () => undefined);
const PLURALS = { PodDisruptionBudget: 'poddisruptionbudgets' };

beforeAll(async () => {
  set = await startClusters({ names: ['init-host'], crds: false });
  kc = set.kubeConfig('init-host');
}, 120_000);

afterAll(async () => {
  await set?.stop();
});

describe('heraldctl init', () => {
  it('refuses bad input in one line, before applying anything', async () => {
    const missing = await heraldctl('init', '--host-kubeconfig', set.get('init-host').kubeconfigPath, '--secret-namespace', 'no-such-ns');
    expect(missing.code).toBe(1);
    expect(missing.out.trim()).toBe('heraldctl: --secret-namespace no-such-ns: no such namespace on the host; create it first (the Secrets Herald objects reference live there)');
    const clusters = await heraldctl('init', '--host-kubeconfig', set.get('init-host').kubeconfigPath, '--secret-namespace', 'herald-clusters');
    expect(clusters.out).toContain('--secret-namespace herald-clusters is refused');
    const replicas = await heraldctl('init', '--host-kubeconfig', set.get('init-host').kubeconfigPath, '--replicas', 'two');
    expect(replicas.code).toBe(2);
    expect(replicas.out).toContain('--replicas must be a whole number from 1 to 10');
    expect(await getJson('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/memberclusters.herald.dev')).toBeUndefined();
    expect(await getJson('/api/v1/namespaces/herald-system')).toBeUndefined();
  });

  it('installs every CRD and the host, as hostManifests() defines them', async () => {
    await rawRequest(kc, 'POST', '/api/v1/namespaces', { body: JSON.stringify({ metadata: { name: 'team-a' } }) });
    const { code, out } = await heraldctl('init', '--host-kubeconfig', set.get('init-host').kubeconfigPath, '--secret-namespace', 'herald-system', '--secret-namespace', 'team-a', '--replicas', '3');
    expect(out).toContain('10 CRDs installed and Established');
    expect(out).toContain('next: register a member with heraldctl join');
    expect(code).toBe(0);
    const expected = hostManifests({ ...HOST_DEFAULTS, replicas: 3, secretNamespaces: ['herald-system', 'team-a'] });
    for (const m of expected) expect(await getJson(pathOf(m, PLURALS)), `${m.kind} ${m.metadata.name}`).toBeDefined();
    const crd = (await getJson('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/propagationpolicies.herald.dev')) as { status: { conditions: { type: string; status: string }[] } };
    expect(crd.status.conditions).toContainEqual(expect.objectContaining({ type: 'Established', status: 'True' }));
    const deployment = (await getJson('/apis/apps/v1/namespaces/herald-system/deployments/herald-host')) as { spec: { replicas: number; template: { spec: { serviceAccountName: string; containers: { image: string; args: string[] }[] } } } };
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.template.spec.serviceAccountName).toBe('herald-host');
    expect(deployment.spec.template.spec.containers[0]?.image).toBe('ghcr.io/herald-dev/herald-host:0.1.0');
    expect(deployment.spec.template.spec.containers[0]?.args).toEqual(['--port', '19094', '--lease-namespace', 'herald-system', '--secret-namespace', 'herald-system', '--secret-namespace', 'team-a']);
    expect(await getJson('/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/roles/herald-host-secrets')).toMatchObject({ rules: [{ resources: ['secrets'], verbs: ['get', 'list'] }] });
  });

  it('re-runs safely, and a re-run with other flags upgrades the install', async () => {
    const { code, out } = await heraldctl('init', '--host-kubeconfig', set.get('init-host').kubeconfigPath, '--image', 'registry.local:5000/herald/host:dev', '--admin-token-secret', 'herald-admin');
    expect(out).toContain('applied');
    expect(code).toBe(0);
    const deployment = (await getJson('/apis/apps/v1/namespaces/herald-system/deployments/herald-host')) as { spec: { replicas: number; template: { spec: { containers: { image: string; args: string[] }[]; volumes?: unknown[] } } } };
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec.containers[0]?.image).toBe('registry.local:5000/herald/host:dev');
    expect(deployment.spec.template.spec.containers[0]?.args).toContain('--admin-token-file');
    expect(deployment.spec.template.spec.volumes).toContainEqual({ name: 'admin-token', secret: { secretName: 'herald-admin', defaultMode: 0o440 } });
    // team-a is no longer a --secret-namespace: the host's grant there is gone.
    expect(out).toContain('herald-host may no longer read Secrets in team-a');
    expect(await getJson('/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/roles/herald-host-secrets')).toBeUndefined();
    expect(await getJson('/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/rolebindings/herald-host-secrets')).toBeUndefined();
    expect(await getJson('/apis/rbac.authorization.k8s.io/v1/namespaces/herald-system/roles/herald-host-secrets')).toBeDefined();
  });
});
