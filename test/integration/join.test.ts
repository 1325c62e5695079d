/**
 * heraldctl on real control planes: join installs the agent with least-privilege RBAC and
 * registers the member; the host then propagates as herald-propagator, and the agent runs as its
 * own ServiceAccount (its token, its RBAC, nothing more) — renewing its Lease and delivering.
 * The propagator writes Secrets only in the namespaces join gave it (F4), and the host stores its
 * kubeconfig where no Herald object may reference it (F3). unjoin cleans both sides, and with
 * --force unregisters a member that is down.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PropagationController } from '../../host/src/propagation/controller.js';
import { startClusters, type ClusterSet } from '../harness/clusters.js';
import { rawRequest } from '../harness/crds.js';
import { serviceAccountKubeconfig } from '../support/federation.js';
import { apply } from '../support/manifests.js';
import { until } from '../support/eventually.js';
import { startAgent, type AgentProcess } from '../wire/agent-process.js';
import { startHttpServer, type TestHttpServer } from '../wire/http-server.js';

const CTL = fileURLToPath(new URL('../../host/src/ctl/cli.ts', import.meta.url));
let set: ClusterSet;
let hub: KubeConfig;
let controller: PropagationController | undefined;
let agent: AgentProcess | undefined;
let sink: TestHttpServer;
let ingestToken = '';
const ALERTMANAGER_FLAGS = ['--alertmanager', 'monitoring/alertmanager', '--alertmanager-token-namespace', 'monitoring'];
const secretToken = async (kc: KubeConfig, namespace: string, name: string): Promise<string> =>
  Buffer.from(((await getJson(kc, `/api/v1/namespaces/${namespace}/secrets/${name}`)) as { data: { token: string } }).data.token, 'base64').toString('utf8');

function heraldctl(...args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    // No KUBECONFIG or ~/.kube/config: a cluster not named on the command line is not there.
    const env = { ...process.env, HOME: '/nonexistent', KUBECONFIG: '' };
    const child = spawn(process.execPath, ['--import', 'tsx', CTL, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => resolve({ code, out }));
  });
}
const kubeconfigs = (name: string): string[] => ['--host-kubeconfig', set.get('hub').kubeconfigPath, '--member-kubeconfig', set.get(name).kubeconfigPath];
const getJson = async (kc: KubeConfig, path: string): Promise<Record<string, unknown> | undefined> =>
  rawRequest(kc, 'GET', path).then((t) => JSON.parse(t) as Record<string, unknown>, () => undefined);
/** What a timed-out wait shows: the tail of the agent's output, once there is an agent. */
const wait = { detail: () => (agent ? `agent: ${agent.output().slice(-1500)}` : '') };

/** Whether a ServiceAccount may do something, by the member's own RBAC authorizer. */
async function may(cluster: string, sa: string, attrs: Record<string, string>): Promise<boolean> {
  const user = sa.includes(':') ? sa : `system:serviceaccount:herald-system:${sa}`;
  const review = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user, groups: ['system:serviceaccounts', 'system:authenticated'], resourceAttributes: attrs } };
  const answer = JSON.parse(await rawRequest(set.kubeConfig(cluster), 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { body: JSON.stringify(review) })) as { status: { allowed: boolean } };
  return answer.status.allowed;
}

beforeAll(async () => {
  set = await startClusters({ names: ['hub', 'member-a', 'member-b'] });
  hub = set.kubeConfig('hub');
  sink = await startHttpServer({ handler: () => ({ status: 200, body: 'ok' }) });
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  await controller?.stop();
  await sink?.close();
  await set?.stop();
});

describe('heraldctl join', () => {
  it('installs the agent on the member and registers it on the host', async () => {
    const { code, out } = await heraldctl('join', 'member-a', ...kubeconfigs('member-a'), '--label', 'env=prod', '--label', 'region=eu', '--secret-namespace', 'team-a', ...ALERTMANAGER_FLAGS);
    expect(out).toContain('member-a joined');
    expect(code).toBe(0);
    const a = set.kubeConfig('member-a');
    const deployment = (await getJson(a, '/apis/apps/v1/namespaces/herald-system/deployments/herald-agent')) as { spec: { template: { spec: { serviceAccountName: string; volumes: unknown[] } } } };
    expect(deployment.spec.template.spec.serviceAccountName).toBe('herald-agent');
    expect(deployment.spec.template.spec.volumes).toContainEqual({ name: 'ingest-token', secret: { secretName: 'herald-agent-ingest-token', defaultMode: 0o440 } });
    expect(JSON.stringify(deployment)).toContain('"--ingest-token-file","/etc/herald/ingest/token"');
    // The agent's API is authenticated: an ingest token, copied where Alertmanager can mount it, and the configuration that uses it.
    ingestToken = await secretToken(a, 'herald-system', 'herald-agent-ingest-token');
    expect(ingestToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await secretToken(a, 'monitoring', 'herald-ingest-token')).toBe(ingestToken);
    expect(out).toContain('url: http://herald-agent.herald-system.svc:19093/api/v2/alerts');
    expect(out).toContain('credentials_file: /var/run/secrets/kubernetes.io/serviceaccount/token');
    expect(out).toContain('credentials_file: /etc/alertmanager/secrets/herald-ingest-token/token');
    expect(out).not.toContain(ingestToken);
    expect(await getJson(a, '/api/v1/namespaces/herald-system/services/herald-agent')).toMatchObject({ spec: { ports: [{ port: 19093 }] } });
    expect(await getJson(a, '/api/v1/namespaces/herald-system/persistentvolumeclaims/herald-agent-data')).toBeDefined();
    const mc = await getJson(hub, '/apis/herald.dev/v1alpha1/memberclusters/member-a');
    expect(mc).toMatchObject({
      metadata: { labels: { env: 'prod', region: 'eu' } },
      spec: { kubeconfigSecretRef: { namespace: 'herald-clusters', name: 'member-a-kubeconfig', key: 'kubeconfig' }, secretNamespaces: ['herald-system', 'team-a'] },
    });
    // The host holds a token of herald-propagator, not the admin's credentials, apart from what Herald objects may reference.
    expect(await getJson(hub, '/api/v1/namespaces/herald-system/secrets/member-a-kubeconfig')).toBeUndefined();
    const secret = (await getJson(hub, '/api/v1/namespaces/herald-clusters/secrets/member-a-kubeconfig')) as { data: { kubeconfig: string }; metadata: { annotations: Record<string, string> } };
    const stored = Buffer.from(secret.data.kubeconfig, 'base64').toString('utf8');
    expect(stored).toContain('herald-propagator');
    expect(stored).not.toContain('client-key-data');
    expect(secret.metadata.annotations['herald.dev/token-expires']).toMatch(/^\d{4}-/);
  });

  it('gives the agent and the propagator only what they need', async () => {
    const herald = (resource: string, verb: string, extra: Record<string, string> = {}) => ({ group: 'herald.dev', resource, verb, ...extra });
    expect(await may('member-a', 'herald-agent', herald('receivers', 'watch'))).toBe(true);
    expect(await may('member-a', 'herald-agent', herald('receivers', 'patch', { subresource: 'status' }))).toBe(true);
    expect(await may('member-a', 'herald-agent', herald('receivers', 'update'))).toBe(false);
    expect(await may('member-a', 'herald-agent', herald('receivers', 'delete'))).toBe(false);
    expect(await may('member-a', 'herald-agent', { resource: 'secrets', verb: 'watch', namespace: 'herald-system' })).toBe(true);
    expect(await may('member-a', 'herald-agent', { resource: 'secrets', verb: 'get', namespace: 'team-a' })).toBe(true);
    expect(await may('member-a', 'herald-agent', { resource: 'secrets', verb: 'get', namespace: 'default' })).toBe(false);
    expect(await may('member-a', 'herald-agent', { resource: 'secrets', verb: 'create', namespace: 'herald-system' })).toBe(false);
    expect(await may('member-a', 'herald-agent', { group: 'events.k8s.io', resource: 'events', verb: 'watch' })).toBe(true);
    expect(await may('member-a', 'herald-agent', { group: 'coordination.k8s.io', resource: 'leases', verb: 'update', namespace: 'herald-system', name: 'herald-agent' })).toBe(true);
    expect(await may('member-a', 'herald-agent', { group: 'coordination.k8s.io', resource: 'leases', verb: 'update', namespace: 'herald-system', name: 'herald-host' })).toBe(false);
    // Who calls its API: it asks the API server (TokenReview, SubjectAccessReview), as kube-rbac-proxy does.
    expect(await may('member-a', 'herald-agent', { group: 'authentication.k8s.io', resource: 'tokenreviews', verb: 'create' })).toBe(true);
    expect(await may('member-a', 'herald-agent', { group: 'authorization.k8s.io', resource: 'subjectaccessreviews', verb: 'create' })).toBe(true);
    // --alertmanager: that ServiceAccount may post alerts, and nothing else of the agent's.
    const am = 'system:serviceaccount:monitoring:alertmanager';
    expect(await may('member-a', am, herald('agents', 'create', { subresource: 'ingest', namespace: 'herald-system', name: 'herald-agent' }))).toBe(true);
    expect(await may('member-a', am, herald('agents', 'create', { subresource: 'admin', namespace: 'herald-system', name: 'herald-agent' }))).toBe(false);
    expect(await may('member-a', am, herald('agents', 'get', { subresource: 'admin', namespace: 'herald-system', name: 'herald-agent' }))).toBe(false);
    expect(await may('member-a', 'system:serviceaccount:monitoring:other', herald('agents', 'create', { subresource: 'ingest', namespace: 'herald-system', name: 'herald-agent' }))).toBe(false);
    expect(await may('member-a', 'herald-propagator', herald('receivers', 'create'))).toBe(true);
    expect(await may('member-a', 'herald-propagator', { resource: 'secrets', verb: 'create', namespace: 'team-a' })).toBe(true);
    expect(await may('member-a', 'herald-propagator', { group: 'apps', resource: 'deployments', verb: 'create', namespace: 'herald-system' })).toBe(false);
    expect(await may('member-a', 'herald-propagator', { group: 'rbac.authorization.k8s.io', resource: 'clusterroles', verb: 'create' })).toBe(false);
  });

  it('gives the propagator Secrets only in herald-system and each --secret-namespace, and no rights on namespaces (F4)', async () => {
    const propagator = (attrs: Record<string, string>): Promise<boolean> => may('member-a', 'herald-propagator', attrs);
    for (const namespace of ['herald-system', 'team-a']) {
      for (const verb of ['get', 'create', 'update', 'patch', 'delete']) expect(await propagator({ resource: 'secrets', verb, namespace }), `${verb} secrets -n ${namespace}`).toBe(true);
    }
    for (const namespace of ['kube-system', 'default']) {
      for (const verb of ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection']) {
        expect(await propagator({ resource: 'secrets', verb, namespace }), `${verb} secrets -n ${namespace}`).toBe(false);
      }
    }
    expect(await propagator({ resource: 'secrets', verb: 'list' }), 'list secrets -A').toBe(false);
    for (const verb of ['patch', 'create', 'update', 'delete']) expect(await propagator({ resource: 'namespaces', verb }), `${verb} namespaces`).toBe(false);
    expect(await propagator({ resource: 'namespaces', verb: 'patch', name: 'kube-system' }), 'patch namespace kube-system').toBe(false);
    // What it still needs: the Herald kinds everywhere, and the agent's Lease.
    expect(await propagator({ group: 'herald.dev', resource: 'receivers', verb: 'delete' })).toBe(true);
    expect(await propagator({ group: 'coordination.k8s.io', resource: 'leases', verb: 'get', namespace: 'herald-system', name: 'herald-agent' })).toBe(true);
  });

  it('is enough: the host propagates with the stored token, and the agent runs as its ServiceAccount', async () => {
    controller = new PropagationController({ kc: hub, log: () => undefined, resyncMs: 1000, maxBackoffMs: 2000, secretNamespaces: ['herald-system', 'team-a', 'team-z'] });
    await controller.start();
    await apply(hub, { apiVersion: 'herald.dev/v1alpha1', kind: 'Receiver', metadata: { name: 'sink', labels: { type: 'global' } }, spec: { webhook: { url: sink.origin } } } as never);
    await apply(hub, { apiVersion: 'herald.dev/v1alpha1', kind: 'Settings', metadata: { name: 'default' }, spec: { batchMaxWait: '0s' } } as never);
    await until('sink receiver on member-a', async () => (await getJson(set.kubeConfig('member-a'), '/apis/herald.dev/v1alpha1/receivers/sink')) !== undefined, wait);
    // As the Deployment runs it: the ingest token join made, and Kubernetes authentication.
    agent = await startAgent({ kubeconfig: await serviceAccountKubeconfig(set, 'member-a', 'herald-agent'), args: ['--heartbeat-seconds', '1'], tokens: { ingest: ingestToken, admin: 'admin-token-of-the-join-test' } });
    await until('AgentReady on the host', async () => {
      const mc = (await getJson(hub, '/apis/herald.dev/v1alpha1/memberclusters/member-a')) as { status?: { conditions?: { type: string; status: string }[] } };
      const is = (type: string): boolean => mc.status?.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
      return is('Ready') && is('AgentReady') && is('Synced');
    }, wait);
    const res = await fetch(`${agent.url}/api/v2/alerts`, { method: 'POST', headers: agent.headers('ingest'), body: JSON.stringify({ alerts: [{ labels: { alertname: 'Joined' } }] }) });
    expect(res.status).toBe(200);
    await until('the alert at the sink', () => Promise.resolve(sink.requests.length > 0), wait);
    expect(JSON.parse(sink.requests[0]?.body ?? '{}')).toMatchObject({ alerts: [{ labels: { alertname: 'Joined', cluster: 'member-a' } }] });
    // Alertmanager's own ServiceAccount token (what credentials_file reads in its pod): accepted on ingest, refused on admin.
    await rawRequest(set.kubeConfig('member-a'), 'POST', '/api/v1/namespaces/monitoring/serviceaccounts', { body: JSON.stringify({ metadata: { name: 'alertmanager' } }) });
    const issued = JSON.parse(
      await rawRequest(set.kubeConfig('member-a'), 'POST', '/api/v1/namespaces/monitoring/serviceaccounts/alertmanager/token', { body: JSON.stringify({ spec: { expirationSeconds: 3600 } }) }),
    ) as { status: { token: string } };
    const asAlertmanager = { 'content-type': 'application/json', authorization: `Bearer ${issued.status.token}` };
    expect((await fetch(`${agent.url}/api/v2/alerts`, { method: 'POST', headers: asAlertmanager, body: JSON.stringify({ alerts: [{ labels: { alertname: 'FromAlertmanagerSA' } }] }) })).status).toBe(200);
    expect((await fetch(`${agent.url}/api/v2/verify`, { method: 'POST', headers: asAlertmanager, body: JSON.stringify({ receiver: 'sink' }) })).status).toBe(403);
    expect((await fetch(`${agent.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"alerts":[{"labels":{}}]}' })).status).toBe(401);
    // The agent's own status reports went through its RBAC too.
    await until('Accepted on the member copy', async () => JSON.stringify(await getJson(set.kubeConfig('member-a'), '/apis/herald.dev/v1alpha1/receivers/sink')).includes('"Accepted"'), wait);
    expect(agent.output()).not.toMatch(/forbidden/i);
  });

  it('writes a Secret only in a namespace join gave it: says so (also on a 403), and a re-run join fixes it', async () => {
    await rawRequest(hub, 'POST', '/api/v1/namespaces', { body: JSON.stringify({ metadata: { name: 'team-z' } }) });
    await apply(hub, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'token', namespace: 'team-z' }, stringData: { token: 'xoxb-team-z' } } as never);
    const tokenRef = { valueFrom: { secretKeyRef: { namespace: 'team-z', name: 'token', key: 'token' } } };
    await apply(hub, { apiVersion: 'herald.dev/v1alpha1', kind: 'Config', metadata: { name: 'team-z-slack', labels: { type: 'tenant', namespace: 'team-z' } }, spec: { slack: { slackTokenSecret: tokenRef } } } as never);
    const onA = async (): Promise<{ state?: string; message?: string }> => {
      const o = (await getJson(hub, '/apis/herald.dev/v1alpha1/configs/team-z-slack')) as { status?: { clusters?: { name: string; state: string; message?: string }[] } } | undefined;
      return o?.status?.clusters?.find((c) => c.name === 'member-a') ?? {};
    };
    const rejoin = 're-run heraldctl join member-a … --secret-namespace team-z';
    // Refused up front: member-a's MemberCluster does not list team-z.
    await until('refused up front', async () => (await onA()).state === 'ApplyFailed', wait);
    expect((await onA()).message).toBe(`Secret team-z/token: member-a lets Herald write Secrets only in herald-system, team-a (MemberCluster spec.secretNamespaces); ${rejoin}`);
    // Listed by hand, without the Role join would have created: the member's 403, said as clearly.
    await rawRequest(hub, 'PATCH', '/apis/herald.dev/v1alpha1/memberclusters/member-a', { contentType: 'application/merge-patch+json', body: JSON.stringify({ spec: { secretNamespaces: ['herald-system', 'team-a', 'team-z'] } }) });
    await until('the 403 reported', async () => (await onA()).message?.includes('(403)') === true, wait);
    expect(await onA()).toMatchObject({ state: 'ApplyFailed', message: `Secret team-z/token: member-a forbids herald-propagator to write Secrets in team-z (403); ${rejoin}` });
    expect(await getJson(set.kubeConfig('member-a'), '/apis/herald.dev/v1alpha1/configs/team-z-slack')).toBeUndefined();
    const { code, out } = await heraldctl('join', 'member-a', ...kubeconfigs('member-a'), '--label', 'env=prod', '--label', 'region=eu', '--secret-namespace', 'team-a', '--secret-namespace', 'team-z', ...ALERTMANAGER_FLAGS);
    expect(code, out).toBe(0);
    // A re-run keeps the ingest token Alertmanager already has.
    expect(out).toContain('ingest token kept in Secret herald-system/herald-agent-ingest-token');
    expect(await secretToken(set.kubeConfig('member-a'), 'herald-system', 'herald-agent-ingest-token')).toBe(ingestToken);
    await until('Applied after the re-run join', async () => (await onA()).state === 'Applied', wait);
    const copy = (await getJson(set.kubeConfig('member-a'), '/api/v1/namespaces/team-z/secrets/token')) as { metadata: { annotations?: Record<string, string> } };
    expect(copy.metadata.annotations?.['herald.dev/copied-from']).toBe('team-z/token');
    expect(await getJson(set.kubeConfig('member-a'), '/apis/herald.dev/v1alpha1/configs/team-z-slack')).toBeDefined();
  });

  it('moves the kubeconfig Secret of a member registered the old way', async () => {
    const kubeconfig = readFileSync(set.get('member-b').kubeconfigPath, 'utf8');
    await apply(hub, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'member-b-kubeconfig', namespace: 'herald-system' }, stringData: { kubeconfig } } as never);
    await apply(hub, { apiVersion: 'herald.dev/v1alpha1', kind: 'MemberCluster', metadata: { name: 'member-b' }, spec: { kubeconfigSecretRef: { name: 'member-b-kubeconfig', key: 'kubeconfig' } } } as never);
    const { code, out } = await heraldctl('join', 'member-b', ...kubeconfigs('member-b'));
    expect(code, out).toBe(0);
    expect(out).toContain('host: kubeconfig Secret moved from herald-system/member-b-kubeconfig to herald-clusters/member-b-kubeconfig');
    expect(await getJson(hub, '/api/v1/namespaces/herald-system/secrets/member-b-kubeconfig')).toBeUndefined();
    expect(await getJson(hub, '/api/v1/namespaces/herald-clusters/secrets/member-b-kubeconfig')).toBeDefined();
    expect(await getJson(hub, '/apis/herald.dev/v1alpha1/memberclusters/member-b')).toMatchObject({ spec: { kubeconfigSecretRef: { namespace: 'herald-clusters', name: 'member-b-kubeconfig' }, secretNamespaces: ['herald-system'] } });
    // The host reaches it with the moved Secret.
    await until('member-b Ready', async () => JSON.stringify(await getJson(hub, '/apis/herald.dev/v1alpha1/memberclusters/member-b')).includes('"Reachable"'), wait);
    // A MemberCluster edited to name some other Secret: join re-points it, and deletes nothing it did not write.
    await apply(hub, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'precious', namespace: 'default' }, stringData: { x: 'keep me' } } as never);
    await rawRequest(hub, 'PATCH', '/apis/herald.dev/v1alpha1/memberclusters/member-b', { contentType: 'application/merge-patch+json', body: JSON.stringify({ spec: { kubeconfigSecretRef: { namespace: 'default', name: 'precious', key: 'x' } } }) });
    const again = await heraldctl('join', 'member-b', ...kubeconfigs('member-b'));
    expect(again.code, again.out).toBe(0);
    expect(again.out).toContain('default/precious is left as it is');
    expect(await getJson(hub, '/api/v1/namespaces/default/secrets/precious')).toBeDefined();
  });
});

describe('heraldctl unjoin', () => {
  it('removes the member from the host, and Herald’s copies and agent from the member', async () => {
    await agent?.stop();
    agent = undefined;
    // A Secret someone labelled managed-by=herald by hand is not Herald's to delete.
    await apply(set.kubeConfig('member-a'), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'hand-labelled', namespace: 'team-a', labels: { 'app.kubernetes.io/managed-by': 'herald' } }, stringData: { x: 'mine' } } as never);
    const { code, out } = await heraldctl('unjoin', 'member-a', ...kubeconfigs('member-a'));
    expect(out).toContain('member-a unjoined');
    expect(await getJson(set.kubeConfig('member-a'), '/api/v1/namespaces/monitoring/secrets/herald-ingest-token')).toBeUndefined();
    expect(code).toBe(0);
    expect(await getJson(hub, '/apis/herald.dev/v1alpha1/memberclusters/member-a')).toBeUndefined();
    expect(await getJson(hub, '/api/v1/namespaces/herald-clusters/secrets/member-a-kubeconfig')).toBeUndefined();
    const a = set.kubeConfig('member-a');
    expect(await getJson(a, '/apis/herald.dev/v1alpha1/receivers/sink')).toBeUndefined();
    expect(await getJson(a, '/apis/rbac.authorization.k8s.io/v1/clusterroles/herald-agent')).toBeUndefined();
    expect(await getJson(a, '/apis/rbac.authorization.k8s.io/v1/namespaces/team-a/roles/herald-agent-secrets')).toBeUndefined();
    for (const ns of ['team-a', 'team-z']) {
      expect(await getJson(a, `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles/herald-propagator-secrets`)).toBeUndefined();
      expect(await getJson(a, `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings/herald-propagator-secrets`)).toBeUndefined();
    }
    expect(await getJson(a, '/api/v1/namespaces/team-z/secrets/token')).toBeUndefined();
    expect(await getJson(a, '/api/v1/namespaces/team-a/secrets/hand-labelled')).toBeDefined();
    // No namespace controller runs here, so the namespace stays Terminating rather than vanishing.
    const ns = (await getJson(a, '/api/v1/namespaces/herald-system')) as { metadata: { deletionTimestamp?: string } };
    expect(ns.metadata.deletionTimestamp).toMatch(/^\d{4}-/);
    expect(await getJson(a, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/receivers.herald.dev')).toBeDefined();
  });

  it('refuses to half-clean a member that is down, and unregisters it with --force', async () => {
    expect((await heraldctl('join', 'member-b', ...kubeconfigs('member-b'))).code).toBe(0);
    await set.get('member-b').stop();
    const refused = await heraldctl('unjoin', 'member-b', ...kubeconfigs('member-b'));
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/cannot clean up member member-b .*--force/);
    expect(await getJson(hub, '/apis/herald.dev/v1alpha1/memberclusters/member-b')).toBeDefined();
    const forced = await heraldctl('unjoin', 'member-b', ...kubeconfigs('member-b'), '--force');
    expect(forced.code).toBe(0);
    expect(forced.out).toContain('member-b: not cleaned');
    expect(await getJson(hub, '/apis/herald.dev/v1alpha1/memberclusters/member-b')).toBeUndefined();
  });

  it('rejects bad input with a clear message', async () => {
    const bad = await heraldctl('join', 'Member_A', ...kubeconfigs('member-a'));
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('must be a DNS label');
    const missing = await heraldctl('join', 'member-c', '--host-kubeconfig', set.get('hub').kubeconfigPath);
    expect(missing.code).toBe(2);
    expect(missing.out).toContain('no kubeconfig: pass --member-kubeconfig FILE or set KUBECONFIG');
    expect(missing.out).toContain("See 'heraldctl join --help'.");
  });
});
