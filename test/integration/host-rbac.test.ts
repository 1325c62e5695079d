/**
 * The host controller is enough, and no more, under the chart's RBAC: charts/herald's
 * ServiceAccount, (Cluster)Roles and bindings are applied to a real host, the controller, its
 * leader election and its admin-API reviews run with a TokenRequest token of herald-host, and
 * propagate to a member (objects, a referenced Secret, statuses, finalizers, a drift Event, a
 * deletion). SubjectAccessReviews show each verb it needs is granted and nothing beyond: no
 * Secrets outside herald-clusters and the secret namespaces, no namespace deletion, no RBAC.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { kubeReviewer } from '@herald/shared/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaderElector } from '../../host/src/leader/elector.js';
import { PropagationController } from '../../host/src/propagation/controller.js';
import type { Manifest } from '../../host/src/ctl/manifests.js';
import { startClusters, type ClusterSet } from '../harness/clusters.js';
import { rawRequest } from '../harness/crds.js';
import { eventually, holds } from '../support/eventually.js';
import { registerMembers, serviceAccountKubeconfig } from '../support/federation.js';
import { template } from '../support/helm.js';
import { startHost, type HostProcess } from '../support/host-process.js';
import { apply } from '../support/manifests.js';

const API = 'herald.dev/v1alpha1';
const RBAC_KINDS = new Set(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);
let set: ClusterSet;
let admin: KubeConfig;
let asHost: KubeConfig;
let controller: PropagationController | undefined;
let elector: LeaderElector | undefined;
let hostProcess: HostProcess | undefined;
let hostKubeconfig = '';
let chartArgs: string[] = [];
let callerToken = '';
const logs: Record<string, unknown>[] = [];

const getJson = async (kc: KubeConfig, path: string): Promise<Record<string, unknown> | undefined> =>
  rawRequest(kc, 'GET', path).then((t) => JSON.parse(t) as Record<string, unknown>, () => undefined);
const said = (): string => JSON.stringify(logs.slice(-5));

/** Whether herald-host may do this, by the host's own RBAC authorizer. */
async function may(attrs: Record<string, string>): Promise<boolean> {
  const review = {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: { user: 'system:serviceaccount:herald-system:herald-host', groups: ['system:serviceaccounts', 'system:serviceaccounts:herald-system', 'system:authenticated'], resourceAttributes: attrs },
  };
  const answer = JSON.parse(await rawRequest(admin, 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { body: JSON.stringify(review) })) as { status: { allowed: boolean } };
  return answer.status.allowed;
}

beforeAll(async () => {
  set = await startClusters({ names: ['rbac-host', 'rbac-member'] });
  admin = set.kubeConfig('rbac-host');
  await registerMembers(admin, set, { 'rbac-member': { env: 'prod' } }, { secretNamespaces: ['team-a'] });
  for (const name of ['team-a', 'team-b']) await rawRequest(admin, 'POST', '/api/v1/namespaces', { body: JSON.stringify({ metadata: { name } }) }).catch(() => undefined);
  // Only the chart's grants: whatever else the chart renders is not what is being tested here.
  const rendered = await template('herald', { secretNamespaces: ['herald-system', 'team-a'] });
  const grants = rendered.filter((m: Manifest) => RBAC_KINDS.has(m.kind));
  expect(grants.length).toBeGreaterThan(10);
  for (const m of grants) await apply(admin, m);
  const deployment = rendered.find((m) => m.kind === 'Deployment') as unknown as { spec: { template: { spec: { containers: { args: string[] }[] } } } };
  chartArgs = deployment.spec.template.spec.containers[0]?.args ?? [];
  hostKubeconfig = await serviceAccountKubeconfig(set, 'rbac-host', 'herald-host');
  asHost = new KubeConfig();
  asHost.loadFromFile(hostKubeconfig);
}, 180_000);

afterAll(async () => {
  await hostProcess?.stop();
  await controller?.stop();
  await elector?.stop();
  await set?.stop();
});

describe('herald-host under the chart’s ServiceAccount', () => {
  it('wins the leader Lease', async () => {
    elector = new LeaderElector({ kc: asHost, namespace: 'herald-system', name: 'herald-host', identity: 'rbac-test', log: (e) => logs.push(e), durationSec: 15, retryMs: 200 });
    let leading = false;
    elector.start({ onStartedLeading: () => void (leading = true), onStoppedLeading: () => void (leading = false) });
    await eventually(() => holds(() => leading), () => `not leading; ${said()}`);
    expect(await getJson(admin, '/apis/coordination.k8s.io/v1/namespaces/herald-system/leases/herald-host')).toMatchObject({ spec: { holderIdentity: 'rbac-test' } });
  });

  it('propagates to a member: objects, a referenced Secret, statuses and finalizers', async () => {
    controller = new PropagationController({ kc: asHost, log: (e) => logs.push(e), resyncMs: 1000, maxBackoffMs: 2000, secretNamespaces: ['herald-system', 'team-a'] });
    await controller.start();
    await apply(admin, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'slack', namespace: 'team-a' }, stringData: { token: 'xoxb-team-a' } } as never);
    await apply(admin, { apiVersion: API, kind: 'Receiver', metadata: { name: 'sink', labels: { type: 'global' } }, spec: { webhook: { url: 'http://127.0.0.1:9/' } } } as never);
    const tokenRef = { valueFrom: { secretKeyRef: { namespace: 'team-a', name: 'slack', key: 'token' } } };
    await apply(admin, { apiVersion: API, kind: 'Config', metadata: { name: 'team-a-slack', labels: { type: 'tenant', namespace: 'team-a' } }, spec: { slack: { slackTokenSecret: tokenRef } } } as never);
    const member = set.kubeConfig('rbac-member');
    await eventually(() => getJson(member, '/apis/herald.dev/v1alpha1/receivers/sink'), () => `no Receiver on the member; ${said()}`);
    await eventually(() => getJson(member, '/api/v1/namespaces/team-a/secrets/slack'), () => `no Secret copy on the member; ${said()}`);
    await eventually(() => getJson(member, '/apis/herald.dev/v1alpha1/configs/team-a-slack'), () => `no Config on the member; ${said()}`);
    // Status and finalizer patches on the host objects, and the MemberCluster's status.
    const applied = async (path: string): Promise<Record<string, unknown> | undefined> => {
      const o = (await getJson(admin, path)) as { metadata: { finalizers?: string[] }; status?: { clusters?: { name: string; state: string }[] } } | undefined;
      return o?.status?.clusters?.some((c) => c.name === 'rbac-member' && c.state === 'Applied') && o.metadata.finalizers?.includes('herald.dev/propagation') ? o : undefined;
    };
    await eventually(() => applied('/apis/herald.dev/v1alpha1/receivers/sink'), () => `Receiver not Applied with a finalizer; ${said()}`);
    await eventually(() => applied('/apis/herald.dev/v1alpha1/configs/team-a-slack'), () => `Config not Applied; ${said()}`);
    await eventually(async () => {
      const mc = (await getJson(admin, '/apis/herald.dev/v1alpha1/memberclusters/rbac-member')) as { status?: { conditions?: { type: string; status: string }[] } };
      return mc.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? true : undefined;
    }, () => `MemberCluster not Ready; ${said()}`);
  });

  it('repairs drift and records the Event, and follows a deletion (the finalizer comes off)', async () => {
    const member = set.kubeConfig('rbac-member');
    await rawRequest(member, 'DELETE', '/apis/herald.dev/v1alpha1/receivers/sink');
    await eventually(() => getJson(member, '/apis/herald.dev/v1alpha1/receivers/sink'), () => `drift not repaired; ${said()}`);
    await eventually(async () => {
      const events = (await getJson(admin, '/api/v1/namespaces/default/events')) as { items: { reason: string; involvedObject: { name: string } }[] };
      return events.items.some((e) => e.reason === 'DriftRepaired' && e.involvedObject.name === 'sink') ? true : undefined;
    }, () => `no DriftRepaired Event; ${said()}`);
    // The same drift again within ten minutes is counted on that Event (a patch the Role allows).
    await rawRequest(member, 'DELETE', '/apis/herald.dev/v1alpha1/receivers/sink');
    await eventually(async () => {
      const events = (await getJson(admin, '/api/v1/namespaces/default/events')) as { items: { reason: string; count?: number; involvedObject: { name: string } }[] };
      return events.items.some((e) => e.reason === 'DriftRepaired' && e.involvedObject.name === 'sink' && e.count === 2) ? true : undefined;
    }, () => `the second drift is not counted on the Event; ${said()}`);
    await rawRequest(admin, 'DELETE', '/apis/herald.dev/v1alpha1/receivers/sink');
    await eventually(async () => ((await getJson(member, '/apis/herald.dev/v1alpha1/receivers/sink')) === undefined ? true : undefined), () => `copy not removed; ${said()}`);
    await eventually(async () => ((await getJson(admin, '/apis/herald.dev/v1alpha1/receivers/sink')) === undefined ? true : undefined), () => `host object kept by its finalizer; ${said()}`);
  });

  it('reviews admin API callers (TokenReview, SubjectAccessReview)', async () => {
    const reviewer = kubeReviewer(asHost, 0);
    const caller = JSON.parse(await rawRequest(admin, 'POST', '/api/v1/namespaces/herald-system/serviceaccounts', { body: JSON.stringify({ metadata: { name: 'caller' } }) }).then(() =>
      rawRequest(admin, 'POST', '/api/v1/namespaces/herald-system/serviceaccounts/caller/token', { body: JSON.stringify({ spec: { expirationSeconds: 600 } }) }),
    )) as { status: { token: string } };
    callerToken = caller.status.token;
    const who = await reviewer.authenticate(callerToken);
    expect(who?.user).toBe('system:serviceaccount:herald-system:caller');
    const attrs = { verb: 'list', group: 'herald.dev', resource: 'memberclusters' };
    expect(await reviewer.authorize(who as NonNullable<typeof who>, attrs)).toBe(false);
    await apply(admin, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'caller' }, rules: [{ apiGroups: ['herald.dev'], resources: ['memberclusters'], verbs: ['list'] }] } as never);
    const subjects = [{ kind: 'ServiceAccount', name: 'caller', namespace: 'herald-system' }];
    await apply(admin, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'caller' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'caller' }, subjects } as never);
    // The reviewer keeps no answer (cache 0 s): the next question asks the API server again.
    await eventually(async () => ((await reviewer.authorize(who as NonNullable<typeof who>, attrs)) ? true : undefined), () => 'the granted caller is still refused');
  });

  it('met no refusal on the way', () => {
    expect(JSON.stringify(logs)).not.toMatch(/forbidden|\(403\)/i);
  });

  it('is enough for the real herald-host, run with the chart Deployment’s arguments', async () => {
    await controller?.stop();
    controller = undefined;
    // A leader that stops releases the Lease: the process below takes it at once.
    await elector?.stop();
    elector = undefined;
    const port = chartArgs.indexOf('--port');
    const args = chartArgs.filter((_a, i) => i !== port && i !== port + 1);
    expect(args).toEqual(['--lease-namespace', 'herald-system', '--secret-namespace', 'herald-system', '--secret-namespace', 'team-a']);
    hostProcess = await startHost({ kubeconfig: hostKubeconfig, id: 'chart-host', args: [...args, '--resync-seconds', '1'] });
    const running = hostProcess;
    await eventually(async () => ((await (await fetch(`${running.url}/readyz`)).json()) as { leader: boolean }).leader || undefined, () => `not leading:\n${running.output()}`);
    await apply(admin, { apiVersion: API, kind: 'Receiver', metadata: { name: 'second', labels: { type: 'global' } }, spec: { webhook: { url: 'http://127.0.0.1:9/' } } } as never);
    await eventually(() => getJson(set.kubeConfig('rbac-member'), '/apis/herald.dev/v1alpha1/receivers/second'), () => `not propagated:\n${running.output()}`);
    // The admin API lists as herald-host, for a static-token caller and a Kubernetes one alike.
    const clusters = await fetch(`${running.url}/api/v1/clusters`, { headers: running.headers() });
    expect(clusters.status).toBe(200);
    expect(JSON.stringify(await clusters.json())).toContain('rbac-member');
    expect((await fetch(`${running.url}/api/v1/propagation`, { headers: running.headers() })).status).toBe(200);
    expect((await fetch(`${running.url}/api/v1/clusters`, { headers: { authorization: `Bearer ${callerToken}` } })).status).toBe(200);
    expect((await fetch(`${running.url}/api/v1/propagation`, { headers: { authorization: `Bearer ${callerToken}` } })).status).toBe(403);
    expect(running.output()).not.toMatch(/forbidden|\(403\)/i);
  });
});

describe('herald-host has no more than it needs (SubjectAccessReview)', () => {
  it('has each verb the controller, its election and admin API call', async () => {
    const herald = (resource: string, verb: string, extra: Record<string, string> = {}) => ({ group: 'herald.dev', resource, verb, ...extra });
    for (const resource of ['memberclusters', 'propagationpolicies', 'receivers', 'configs', 'settings', 'inhibitrules']) {
      for (const verb of ['list', 'watch']) expect(await may(herald(resource, verb)), `${verb} ${resource}`).toBe(true);
    }
    expect(await may(herald('receivers', 'patch')), 'patch receivers (finalizers)').toBe(true);
    for (const resource of ['receivers', 'routers', 'memberclusters']) expect(await may(herald(resource, 'patch', { subresource: 'status' })), `patch ${resource}/status`).toBe(true);
    expect(await may({ resource: 'secrets', verb: 'get', namespace: 'herald-clusters', name: 'm-kubeconfig' })).toBe(true);
    for (const ns of ['herald-system', 'team-a']) expect(await may({ resource: 'secrets', verb: 'list', namespace: ns }), `list secrets -n ${ns}`).toBe(true);
    expect(await may({ group: 'coordination.k8s.io', resource: 'leases', verb: 'create', namespace: 'herald-system' })).toBe(true);
    for (const verb of ['get', 'update']) expect(await may({ group: 'coordination.k8s.io', resource: 'leases', verb, namespace: 'herald-system', name: 'herald-host' })).toBe(true);
    for (const verb of ['create', 'patch']) expect(await may({ resource: 'events', verb, namespace: 'default' }), `${verb} events`).toBe(true);
    expect(await may({ group: 'authentication.k8s.io', resource: 'tokenreviews', verb: 'create' })).toBe(true);
    expect(await may({ group: 'authorization.k8s.io', resource: 'subjectaccessreviews', verb: 'create' })).toBe(true);
  });

  it('reads no other Secret, deletes no namespace, writes no RBAC and no spec', async () => {
    for (const ns of ['kube-system', 'default', 'team-b']) {
      for (const verb of ['get', 'list', 'watch']) expect(await may({ resource: 'secrets', verb, namespace: ns }), `${verb} secrets -n ${ns}`).toBe(false);
    }
    expect(await may({ resource: 'secrets', verb: 'list' }), 'list secrets -A').toBe(false);
    for (const verb of ['list', 'watch', 'create', 'update', 'delete']) expect(await may({ resource: 'secrets', verb, namespace: 'herald-clusters' }), `${verb} secrets -n herald-clusters`).toBe(false);
    for (const verb of ['create', 'update', 'patch', 'delete']) expect(await may({ resource: 'secrets', verb, namespace: 'team-a' }), `${verb} secrets -n team-a`).toBe(false);
    for (const verb of ['create', 'delete', 'patch']) expect(await may({ resource: 'namespaces', verb, name: 'team-a' }), `${verb} namespaces`).toBe(false);
    for (const resource of ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings']) {
      for (const verb of ['create', 'update', 'patch', 'bind', 'escalate']) expect(await may({ group: 'rbac.authorization.k8s.io', resource, verb }), `${verb} ${resource}`).toBe(false);
    }
    for (const verb of ['create', 'update', 'delete']) expect(await may({ group: 'herald.dev', resource: 'receivers', verb }), `${verb} receivers`).toBe(false);
    for (const verb of ['patch', 'create', 'delete']) expect(await may({ group: 'herald.dev', resource: 'memberclusters', verb }), `${verb} memberclusters`).toBe(false);
    expect(await may({ group: 'coordination.k8s.io', resource: 'leases', verb: 'update', namespace: 'herald-system', name: 'other' })).toBe(false);
    expect(await may({ group: 'apps', resource: 'deployments', verb: 'create', namespace: 'herald-system' })).toBe(false);
    expect(await may({ resource: 'serviceaccounts', subresource: 'token', verb: 'create', namespace: 'herald-system', name: 'herald-host' })).toBe(false);
  });
});
