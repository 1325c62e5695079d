import { describe, expect, it } from 'vitest';
import { imageParts } from './chart-values.js';
import { HOST_DEFAULTS, hostManifests } from './host-manifests.js';
import { hostClusterRules } from './host-rbac.js';
import { memberManifests } from './manifests.js';

const ids = (ms: { kind: string; metadata: { name: string; namespace?: string } }[]): string[] => ms.map((m) => `${m.kind}/${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name}`);
type Container = { args: string[]; securityContext: Record<string, unknown> };
type Pod = { securityContext: Record<string, unknown>; containers: Container[]; serviceAccountName: string };

describe('hostManifests', () => {
  const ms = hostManifests({ ...HOST_DEFAULTS, secretNamespaces: ['herald-system', 'team-a', 'team-a'] });
  it('installs every CRD first, then the namespaces, the ServiceAccount and its grants, and the workload', () => {
    expect(ms.slice(0, 10).every((m) => m.kind === 'CustomResourceDefinition')).toBe(true);
    expect(ms.slice(0, 10).map((m) => m.metadata.name)).toContain('memberclusters.herald.dev');
    expect(ids(ms.slice(10))).toEqual([
      'Namespace/herald-system',
      'Namespace/herald-clusters',
      'ServiceAccount/herald-system/herald-host',
      'ClusterRole/herald-host',
      'ClusterRoleBinding/herald-host',
      'Role/herald-system/herald-host-lease',
      'RoleBinding/herald-system/herald-host-lease',
      'Role/herald-clusters/herald-host-kubeconfigs',
      'RoleBinding/herald-clusters/herald-host-kubeconfigs',
      'Role/default/herald-host-events',
      'RoleBinding/default/herald-host-events',
      'Role/herald-system/herald-host-secrets',
      'RoleBinding/herald-system/herald-host-secrets',
      'Role/team-a/herald-host-secrets',
      'RoleBinding/team-a/herald-host-secrets',
      'Deployment/herald-system/herald-host',
      'Service/herald-system/herald-host',
      'PodDisruptionBudget/herald-system/herald-host',
    ]);
  });

  it('runs two leader-elected replicas, non-root, read-only, without capabilities, under seccomp', () => {
    const deployment = ms.find((m) => m.kind === 'Deployment') as unknown as { spec: { replicas: number; template: { spec: Pod } } };
    const pod = deployment.spec.template.spec;
    expect(deployment.spec.replicas).toBe(2);
    expect(pod.serviceAccountName).toBe('herald-host');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0]?.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(pod.containers[0]?.args).toEqual(['--port', '19094', '--lease-namespace', 'herald-system', '--secret-namespace', 'herald-system', '--secret-namespace', 'team-a']);
    expect(ms.find((m) => m.kind === 'PodDisruptionBudget')).toMatchObject({ spec: { minAvailable: 1 } });
  });

  it('grants no write on any spec and nothing on RBAC, namespaces or Secrets cluster-wide', () => {
    const rules = hostClusterRules();
    expect(rules.flatMap((r) => r.resources)).not.toContain('secrets');
    expect(rules.flatMap((r) => r.apiGroups)).not.toContain('rbac.authorization.k8s.io');
    expect(rules.flatMap((r) => r.verbs).filter((v) => ['create', 'update', 'delete', '*'].includes(v))).toEqual(['create', 'create']);
  });
});

describe('join’s agent Deployment', () => {
  it('sets the pipeline heap the memory figures are measured with', () => {
    const ms = memberManifests({ cluster: 'a', image: 'i:1', secretNamespaces: [], storage: { kind: 'emptyDir' }, alertmanagers: [] });
    const deployment = ms.find((m) => m.kind === 'Deployment') as unknown as { spec: { template: { spec: Pod } } };
    const args = deployment.spec.template.spec.containers[0]?.args ?? [];
    expect(args.slice(args.indexOf('--pipeline-heap-mb'), args.indexOf('--pipeline-heap-mb') + 2)).toEqual(['--pipeline-heap-mb', '32']);
  });
});

describe('imageParts', () => {
  it('splits at the tag, not at a registry port', () => {
    expect(imageParts('registry.local:5000/herald/agent:dev')).toEqual({ repository: 'registry.local:5000/herald/agent', tag: 'dev' });
    expect(() => imageParts('registry.local:5000/herald/agent')).toThrow('has no tag');
  });
});
