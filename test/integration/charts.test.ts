/**
 * The Helm charts (charts/herald, charts/herald-agent) are the same objects heraldctl installs:
 * rendered with the values init and join use, they equal hostManifests() and memberManifests()
 * (one source of truth, so they cannot drift), they pass `helm lint --strict`, and every object
 * they render is accepted by a real API server (server-side apply with dryRun=All).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { agentChartValues, hostChartValues } from '../../host/src/ctl/chart-values.js';
import { HOST_DEFAULTS, hostManifests, type HostInstall } from '../../host/src/ctl/host-manifests.js';
import { memberManifests, type AgentInstall, type Manifest } from '../../host/src/ctl/manifests.js';
import { rawRequest } from '../harness/crds.js';
import { pathOf } from '../../shared/src/k8s/raw.js';
import { chartDir, helm, idOf, template } from '../support/helm.js';

const kubeconfig = (name: string): KubeConfig => {
  const kc = new KubeConfig();
  kc.loadFromFile(inject('kubeconfigs')[name] as string);
  return kc;
};
const byId = (ms: Manifest[]): Record<string, Manifest> => Object.fromEntries(ms.map((m) => [idOf(m), m]));
/** What a chart renders of heraldctl's objects: not the release's own namespace (helm --create-namespace makes it). */
const chartPart = (ms: Manifest[]): Manifest[] => ms.filter((m) => m.kind !== 'CustomResourceDefinition' && !(m.kind === 'Namespace' && m.metadata.name === 'herald-system'));

const AGENTS: [string, AgentInstall][] = [
  ['pvc, TLS, Alertmanagers, a secret namespace', { cluster: 'member-a', image: 'ghcr.io/herald-dev/herald-agent:0.1.0', secretNamespaces: ['team-a', 'herald-system'], storage: { kind: 'pvc', size: '2Gi', storageClass: 'fast' }, tlsSecret: 'agent-tls', alertmanagers: [{ namespace: 'monitoring', name: 'alertmanager-main' }, { namespace: 'mon2', name: 'am' }] }],
  ['emptyDir and nothing else (join’s defaults but storage)', { cluster: 'edge-1', image: 'registry.local:5000/herald/agent:dev', secretNamespaces: [], storage: { kind: 'emptyDir' }, alertmanagers: [] }],
  ['pvc without a storage class', { cluster: 'b', image: 'ghcr.io/herald-dev/herald-agent:0.1.0', secretNamespaces: ['x', 'y', 'x'], storage: { kind: 'pvc', size: '1Gi' }, alertmanagers: [] }],
];
const HOSTS: [string, HostInstall][] = [
  ['init’s defaults', HOST_DEFAULTS],
  ['three replicas, two secret namespaces, an admin token', { image: 'registry.local:5000/herald/host:dev', replicas: 3, secretNamespaces: ['herald-system', 'team-a'], adminTokenSecret: 'herald-admin' }],
];

describe('helm lint', () => {
  it.each([
    ['herald', []],
    ['herald-agent', ['--set', 'cluster=lint']],
  ] as const)('%s passes --strict', async (chart, args) => {
    const { code, out } = await helm('lint', '--strict', chartDir(chart), '--namespace', 'herald-system', ...args);
    expect(out).not.toContain('[ERROR]');
    expect(out).not.toContain('[WARNING]');
    expect(out, out).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(code).toBe(0);
  });

  it('refuses another namespace, a missing cluster name, and herald-clusters as a secret namespace, in one line each', async () => {
    const other = await helm('template', 'h', chartDir('herald'), '--namespace', 'herald');
    expect(other.code).not.toBe(0);
    expect(other.out).toContain('install this chart into namespace herald-system');
    const clusters = await helm('template', 'h', chartDir('herald'), '--namespace', 'herald-system', '--set', 'secretNamespaces={herald-clusters}');
    expect(clusters.out).toContain('secretNamespaces may not hold herald-clusters');
    const unnamed = await helm('template', 'a', chartDir('herald-agent'), '--namespace', 'herald-system');
    expect(unnamed.code).not.toBe(0);
    expect(unnamed.out).toContain('set cluster');
  });
});

describe('charts/herald-agent renders what heraldctl join installs', () => {
  it.each(AGENTS)('%s', async (_name, o) => {
    const rendered = await template('herald-agent', agentChartValues(o));
    expect(byId(rendered)).toEqual(byId(chartPart(memberManifests(o))));
  });

  it('carries the CRDs join installs (the propagated kinds), and makes an ingest token by default', async () => {
    const o = AGENTS[0]?.[1] as AgentInstall;
    const withCrds = await template('herald-agent', agentChartValues(o), { crds: true });
    const crds = memberManifests(o).filter((m) => m.kind === 'CustomResourceDefinition');
    expect(byId(withCrds.filter((m) => m.kind === 'CustomResourceDefinition'))).toEqual(byId(crds));
    const own = await template('herald-agent', { cluster: 'gitops' });
    const secret = own.find((m) => m.kind === 'Secret') as Manifest & { data: { token: string } };
    expect(secret.metadata).toMatchObject({ name: 'herald-agent-ingest-token', namespace: 'herald-system' });
    expect(Buffer.from(secret.data.token, 'base64').toString()).toMatch(/^[A-Za-z0-9]{43}$/);
  });
});

describe('charts/herald renders what heraldctl init installs', () => {
  it.each(HOSTS)('%s', async (_name, o) => {
    const rendered = await template('herald', hostChartValues(o));
    expect(byId(rendered)).toEqual(byId(chartPart(hostManifests(o))));
  });

  it('by default: init’s objects and a NetworkPolicy that opens only 19094; every Herald CRD', async () => {
    const rendered = await template('herald', {}, { crds: true });
    const policy = rendered.find((m) => m.kind === 'NetworkPolicy');
    expect(policy).toMatchObject({ spec: { policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 19094, protocol: 'TCP' }] }] } });
    const expected = hostManifests(HOST_DEFAULTS).filter((m) => !(m.kind === 'Namespace' && m.metadata.name === 'herald-system'));
    expect(byId(rendered.filter((m) => m !== policy))).toEqual(byId(expected));
  });

  it('optionally: a ServiceMonitor, a PrometheusRule with files/herald.rules.yaml’s groups, a dashboard', async () => {
    const rendered = await template('herald', { serviceMonitor: { enabled: true, labels: { release: 'kps' } }, prometheusRule: { enabled: true }, dashboard: { enabled: true } });
    expect(rendered.find((m) => m.kind === 'ServiceMonitor')).toMatchObject({
      metadata: { labels: { release: 'kps' } },
      spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'herald-host' } }, endpoints: [{ port: 'http', path: '/metrics' }] },
    });
    const file = parse(readFileSync(join(chartDir('herald'), 'files', 'herald.rules.yaml'), 'utf8')) as { groups: unknown[] };
    expect(file.groups.length).toBeGreaterThan(0);
    expect(rendered.find((m) => m.kind === 'PrometheusRule')).toMatchObject({ spec: { groups: file.groups } });
    const dashboard = rendered.find((m) => m.kind === 'ConfigMap') as Manifest & { data: Record<string, string> };
    expect(dashboard.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
    expect(JSON.parse(dashboard.data['herald-dashboard.json'] ?? '')).toHaveProperty('panels');
  });
});

/** Server-side apply with dryRun=All: the API server validates (schema, admission) and stores nothing. */
async function dryRun(kc: KubeConfig, m: Manifest): Promise<string | undefined> {
  const path = `${pathOf(m, { NetworkPolicy: 'networkpolicies' })}?fieldManager=herald-chart-test&force=true&dryRun=All`;
  return rawRequest(kc, 'PATCH', path, { contentType: 'application/apply-patch+yaml', body: JSON.stringify(m) }).then(
    () => undefined,
    (err: unknown) => `${idOf(m)}: ${(err as Error).message}`,
  );
}

/** The namespaces the objects are in, made for real (a dry-run cannot put an object in a dry-run namespace). */
async function namespacesFor(kc: KubeConfig, ms: Manifest[]): Promise<void> {
  const names = new Set([...ms.map((m) => m.metadata.namespace), ...ms.filter((m) => m.kind === 'Namespace').map((m) => m.metadata.name)]);
  for (const name of names) {
    if (name) await rawRequest(kc, 'POST', '/api/v1/namespaces', { body: JSON.stringify({ metadata: { name } }) }).catch(() => undefined);
  }
}

describe('a real API server accepts every rendered object (dryRun=All)', () => {
  it('charts/herald on the host, with every option on but the prometheus-operator kinds', async () => {
    const kc = kubeconfig('host');
    const rendered = await template('herald', { secretNamespaces: ['herald-system', 'chart-team'], adminTokenSecret: 'admin' }, { crds: true });
    await namespacesFor(kc, rendered);
    const refused = (await Promise.all(rendered.map((m) => dryRun(kc, m)))).filter((r) => r !== undefined);
    expect(refused).toEqual([]);
    expect(rendered.map((m) => m.kind)).toEqual(expect.arrayContaining(['Deployment', 'PodDisruptionBudget', 'NetworkPolicy', 'ClusterRole', 'CustomResourceDefinition']));
  });

  it('charts/herald-agent on a member, as join would and with its own ingest token', async () => {
    const kc = kubeconfig('member-a');
    const o = AGENTS[0]?.[1] as AgentInstall;
    for (const values of [agentChartValues(o), { cluster: 'member-a' }]) {
      const rendered = await template('herald-agent', values, { crds: true });
      await namespacesFor(kc, rendered);
      const refused = (await Promise.all(rendered.map((m) => dryRun(kc, m)))).filter((r) => r !== undefined);
      expect(refused).toEqual([]);
    }
  });

  it('refuses what is broken: the check would catch a bad object', async () => {
    const kc = kubeconfig('host');
    const bad = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'broken', namespace: 'herald-system' }, spec: { replicas: 'two' } };
    expect(await dryRun(kc, bad)).toMatch(/Deployment\/herald-system\/broken: .*(invalid|replicas)/i);
  });
});
