import { describe, expect, it } from 'vitest';
import { UsageError } from '@herald/shared/cli';
import { joinArgs } from './join-args.js';
import { joinPlan } from './join.js';
import { accessProblems, crdProblem, JOIN_HOST_ACCESS } from './preflight.js';
import { objectAt } from './unjoin.js';

describe('joinArgs', () => {
  it('turns flags into join options', () => {
    const o = joinArgs('m', { label: ['env=prod'], storage: 'emptyDir', alertmanager: ['monitoring/am'], timeout: '90s', 'dry-run': true });
    expect(o).toMatchObject({ name: 'm', labels: { env: 'prod' }, storage: { kind: 'emptyDir' }, credentials: 'token', tokenTtlHours: 8760, alertmanagers: [{ namespace: 'monitoring', name: 'am' }], namespaceTimeoutMs: 90_000, dryRun: true });
  });
  it.each([
    [{ storage: 'disk' }, '--storage "disk" is not one of pvc, emptyDir'],
    [{ credentials: 'tokn' }, '--credentials "tokn" is not one of token, kubeconfig (did you mean token?)'],
    [{ label: ['no-equals'] }, '--label no-equals is not key=value'],
    [{ 'token-ttl-hours': '1.5' }, '--token-ttl-hours must be a whole number'],
    [{ alertmanager: ['am'] }, '--alertmanager am must be NAMESPACE/SERVICEACCOUNT'],
    [{ timeout: '2 minutes' }, '--timeout "2 minutes" is not a duration'],
  ])('%j is a usage error', (values, message) => {
    expect(() => joinArgs('m', values)).toThrow(UsageError);
    expect(() => joinArgs('m', values)).toThrow(message);
  });
});

describe('joinPlan (--dry-run)', () => {
  it('lists the member install, then the host objects, with no secret value', () => {
    const plan = joinPlan({ ...joinArgs('m', { image: 'img', 'alertmanager-token-namespace': ['monitoring'] }) });
    const ids = (ms: { kind: string; metadata: { name: string; namespace?: string } }[]) => ms.map((m) => `${m.kind}/${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name}`);
    expect(ids(plan.member)).toContain('Secret/herald-system/herald-agent-ingest-token');
    expect(ids(plan.member)).toContain('Secret/monitoring/herald-ingest-token');
    expect(ids(plan.member).indexOf('Namespace/herald-system')).toBeLessThan(ids(plan.member).indexOf('Deployment/herald-system/herald-agent'));
    expect(ids(plan.host)).toEqual(['Namespace/herald-system', 'Namespace/herald-clusters', 'Secret/herald-clusters/m-kubeconfig', 'MemberCluster/m']);
    expect(JSON.stringify(plan)).toContain('<kubeconfig with a TokenRequest token of herald-propagator, made by join>');
  });
});

describe('join preflight', () => {
  it('wants MemberCluster served', () => {
    expect(crdProblem(['memberclusters', 'receivers'])).toBeUndefined();
    expect(crdProblem(undefined)).toMatch(/^the host serves no herald.dev\/v1alpha1 API: install Herald on the host first \(heraldctl init/);
    expect(crdProblem(['receivers'])).toMatch(/but not memberclusters/);
  });
  it('names each refused action with the kubectl command that shows it', () => {
    const answers = JOIN_HOST_ACCESS.map((a) => !(a.resource === 'secrets' && a.verb === 'create'));
    expect(accessProblems(JOIN_HOST_ACCESS, answers)).toEqual(['you may not create secrets in herald-clusters (kubectl auth can-i create secrets -n herald-clusters)']);
  });
});

describe('objectAt', () => {
  it.each([
    ['/api/v1/namespaces/herald-system', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'herald-system' } }],
    ['/api/v1/namespaces/a/secrets/s', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'a' } }],
    ['/apis/herald.dev/v1alpha1/memberclusters/m', { apiVersion: 'herald.dev/v1alpha1', kind: 'MemberCluster', metadata: { name: 'm' } }],
    ['/apis/rbac.authorization.k8s.io/v1/namespaces/a/roles/r', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r', namespace: 'a' } }],
  ])('%s', (path, want) => expect(objectAt(path)).toEqual(want));
});
