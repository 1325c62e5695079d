import { describe, expect, it } from 'vitest';
import { memberManifests } from './manifests.js';

const ids = (ms: { kind: string; metadata: { name: string; namespace?: string } }[]): string[] => ms.map((m) => `${m.kind}/${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name}`);

describe('memberManifests', () => {
  const base = { cluster: 'member-a', image: 'herald-agent:test', secretNamespaces: ['team-a', 'herald-system'], alertmanagers: [{ namespace: 'monitoring', name: 'alertmanager-main' }] };
  it('installs only the propagated kinds’ CRDs, first, then the namespace, RBAC and the agent', () => {
    const ms = memberManifests({ ...base, storage: { kind: 'pvc', size: '2Gi', storageClass: 'fast' } });
    const crds = ms.filter((m) => m.kind === 'CustomResourceDefinition').map((m) => m.metadata.name);
    expect(crds.sort()).toEqual(['configs.herald.dev', 'inhibitrules.herald.dev', 'receivers.herald.dev', 'routers.herald.dev', 'rules.herald.dev', 'settings.herald.dev', 'silences.herald.dev', 'templates.herald.dev']);
    expect(ms.slice(0, 8).every((m) => m.kind === 'CustomResourceDefinition')).toBe(true);
    expect(ids(ms.slice(8))).toEqual([
      'Namespace/herald-system',
      'ServiceAccount/herald-system/herald-agent',
      'ClusterRole/herald-agent',
      'ClusterRoleBinding/herald-agent',
      'Role/herald-system/herald-agent-lease',
      'RoleBinding/herald-system/herald-agent-lease',
      'ServiceAccount/herald-system/herald-propagator',
      'ClusterRole/herald-propagator',
      'ClusterRoleBinding/herald-propagator',
      'Role/herald-system/herald-propagator-agent',
      'RoleBinding/herald-system/herald-propagator-agent',
      'Role/herald-system/herald-agent-secrets',
      'RoleBinding/herald-system/herald-agent-secrets',
      'Role/herald-system/herald-propagator-secrets',
      'RoleBinding/herald-system/herald-propagator-secrets',
      'Namespace/team-a',
      'Role/team-a/herald-agent-secrets',
      'RoleBinding/team-a/herald-agent-secrets',
      'Role/team-a/herald-propagator-secrets',
      'RoleBinding/team-a/herald-propagator-secrets',
      'Role/herald-system/herald-ingest',
      'RoleBinding/herald-system/herald-ingest',
      'PersistentVolumeClaim/herald-system/herald-agent-data',
      'Deployment/herald-system/herald-agent',
      'Service/herald-system/herald-agent',
    ]);
    expect(ms.find((m) => m.kind === 'PersistentVolumeClaim')).toMatchObject({ spec: { storageClassName: 'fast', resources: { requests: { storage: '2Gi' } } } });
  });
  it('lets the propagator reach the agent only through the service proxy of its own port, as its admin', () => {
    const ms = memberManifests({ ...base, storage: { kind: 'emptyDir' } });
    const role = ms.find((m) => m.kind === 'Role' && m.metadata.name === 'herald-propagator-agent');
    expect(role).toMatchObject({
      rules: [
        { apiGroups: [''], resources: ['services/proxy'], verbs: ['get', 'create'], resourceNames: ['http:herald-agent:http', 'https:herald-agent:http'] },
        { apiGroups: ['herald.dev'], resources: ['agents/admin'], verbs: ['get', 'create'], resourceNames: ['herald-agent'] },
      ],
    });
    const service = ms.find((m) => m.kind === 'Service') as unknown as { spec: { ports: { name: string }[] } };
    expect(service.spec.ports.map((p) => p.name)).toEqual(['http']);
  });
  it('gives the propagator Secrets only through a Role per namespace, and no rights on namespaces', () => {
    const ms = memberManifests({ ...base, storage: { kind: 'emptyDir' } });
    const rules = (kind: string, name: string, namespace?: string) =>
      (ms.find((m) => m.kind === kind && m.metadata.name === name && m.metadata.namespace === namespace) as unknown as { rules: { resources: string[] }[] }).rules;
    const clusterWide = rules('ClusterRole', 'herald-propagator').flatMap((r) => r.resources);
    expect(clusterWide).not.toContain('secrets');
    expect(clusterWide).not.toContain('namespaces');
    expect(clusterWide).toContain('leases');
    for (const ns of ['herald-system', 'team-a']) expect(rules('Role', 'herald-propagator-secrets', ns)).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'create', 'update', 'patch', 'delete'] }]);
    const binding = ms.find((m) => m.kind === 'RoleBinding' && m.metadata.name === 'herald-propagator-secrets' && m.metadata.namespace === 'team-a');
    expect(binding).toMatchObject({ subjects: [{ kind: 'ServiceAccount', name: 'herald-propagator', namespace: 'herald-system' }] });
  });
  it('runs one agent with the memory flags, probes and a non-root, read-only container', () => {
    const deployment = memberManifests({ ...base, storage: { kind: 'emptyDir' } }).find((m) => m.kind === 'Deployment') as unknown as {
      spec: { replicas: number; strategy: { type: string }; template: { spec: { containers: { image: string; env: { name: string; value?: string }[]; securityContext: Record<string, unknown>; readinessProbe: unknown }[]; volumes: unknown[] } } };
    };
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy.type).toBe('Recreate');
    const c = deployment.spec.template.spec.containers[0];
    expect(c?.image).toBe('herald-agent:test');
    expect(c?.env).toContainEqual({ name: 'NODE_OPTIONS', value: '--max-old-space-size=64 --max-semi-space-size=1' });
    expect(c?.env).toContainEqual({ name: 'MALLOC_MMAP_THRESHOLD_', value: '16384' });
    expect(c?.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false });
    expect(c?.readinessProbe).toMatchObject({ httpGet: { path: '/readyz', port: 19093 } });
    expect(deployment.spec.template.spec.volumes).toEqual([{ name: 'data', emptyDir: {} }, { name: 'ingest-token', secret: { secretName: 'herald-agent-ingest-token', defaultMode: 0o440 } }]);
  });
  it('runs the agent authenticated, and lets only the named Alertmanagers post to it', () => {
    const ms = memberManifests({ ...base, storage: { kind: 'emptyDir' } });
    const c = (ms.find((m) => m.kind === 'Deployment') as unknown as { spec: { template: { spec: { containers: { args: string[]; env: unknown[] }[] } } } }).spec.template.spec.containers[0];
    expect(c?.args).toEqual(expect.arrayContaining(['--ingest-token-file', '/etc/herald/ingest/token']));
    expect(c?.args).not.toContain('--allow-anonymous-ingest');
    expect(c?.env).toContainEqual({ name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } });
    expect(ms.find((m) => m.kind === 'Role' && m.metadata.name === 'herald-ingest')).toMatchObject({ rules: [{ apiGroups: ['herald.dev'], resources: ['agents/ingest'], verbs: ['create'] }] });
    expect(ms.find((m) => m.kind === 'RoleBinding' && m.metadata.name === 'herald-ingest')).toMatchObject({ subjects: [{ kind: 'ServiceAccount', name: 'alertmanager-main', namespace: 'monitoring' }] });
    expect(memberManifests({ ...base, alertmanagers: [], storage: { kind: 'emptyDir' } }).some((m) => m.kind === 'RoleBinding' && m.metadata.name === 'herald-ingest')).toBe(false);
    const agentRules = (ms.find((m) => m.kind === 'ClusterRole' && m.metadata.name === 'herald-agent') as unknown as { rules: { resources: string[]; verbs: string[] }[] }).rules;
    expect(agentRules).toContainEqual({ apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] });
    expect(agentRules).toContainEqual({ apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] });
  });
  it('serves HTTPS from a TLS Secret when asked (the audit webhook needs it)', () => {
    const deployment = memberManifests({ ...base, storage: { kind: 'emptyDir' }, tlsSecret: 'herald-agent-tls' }).find((m) => m.kind === 'Deployment') as unknown as {
      spec: { template: { spec: { containers: { args: string[]; readinessProbe: { httpGet: { scheme: string } } }[]; volumes: unknown[] } } };
    };
    const c = deployment.spec.template.spec.containers[0];
    expect(c?.args).toEqual(expect.arrayContaining(['--tls-cert-file', '/etc/herald/tls/tls.crt', '--tls-key-file', '/etc/herald/tls/tls.key']));
    expect(c?.readinessProbe.httpGet.scheme).toBe('HTTPS');
    expect(deployment.spec.template.spec.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'herald-agent-tls' } });
  });
});
