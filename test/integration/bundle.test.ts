/**
 * The agent as it ships: member/bundle (hack/bundle-agent.ts), built here from the sources. It
 * runs against a real kube-apiserver as its own least-privileged ServiceAccount — informers,
 * Secrets, status writes and the pipeline thread (a separate bundle entry) — and standalone from a
 * folder, and in both delivers what Alertmanager posts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../../shared/src/k8s/raw.js';
import { bundleAgent } from '../../hack/bundle-agent.js';
import { startClusters, type ClusterSet } from '../harness/clusters.js';
import { agentKubeconfig } from '../support/agent-identity.js';
import { apply } from '../support/manifests.js';
import { until } from '../support/eventually.js';
import { configDir, startAgent, type AgentProcess } from '../wire/agent-process.js';
import { startHttpServer, type TestHttpServer } from '../wire/http-server.js';

const CLUSTER = 'bundle-member';
const API = 'herald.dev/v1alpha1';

let set: ClusterSet;
let admin: KubeConfig;
let sink: TestHttpServer;
const agents: AgentProcess[] = [];
const received: { path: string; auth: string | undefined; cluster: string; alertname: string }[] = [];

/** What a timed-out wait shows: every agent's output. */
const wait = { detail: () => agents.map((a) => a.output()).join('\n') };

const settings = (cluster: string) => ({ apiVersion: API, kind: 'Settings', metadata: { name: 'default' }, spec: { batchMaxWait: '0s', cluster: { name: cluster } } });
const receiver = (path: string) => ({
  apiVersion: API,
  kind: 'Receiver',
  metadata: { name: 'hook', labels: { type: 'global' } },
  spec: { webhook: { url: `${sink.origin}${path}`, httpConfig: { bearerToken: { valueFrom: { secretKeyRef: { name: 'hook', key: 'token' } } } } } },
});
const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'hook', namespace: 'herald-system', labels: { 'herald.dev/usable': 'true' } }, stringData: { token: 'bundle-token' } };

async function post(agent: AgentProcess, alertname: string): Promise<number> {
  const alerts = [{ status: 'firing', labels: { alertname, namespace: 'shop' }, annotations: {}, startsAt: new Date().toISOString(), endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: alertname }];
  const body = { version: '4', groupKey: alertname, truncatedAlerts: 0, status: 'firing', receiver: 'herald', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: '', alerts };
  const res = await fetch(`${agent.url}/api/v2/alerts`, { method: 'POST', headers: agent.headers('ingest'), body: JSON.stringify(body) });
  return res.status;
}

beforeAll(async () => {
  await bundleAgent();
  sink = await startHttpServer({
    handler: (req) => {
      const body = JSON.parse(req.body) as { alerts: { labels: Record<string, string> }[] };
      for (const a of body.alerts) received.push({ path: req.url, auth: req.headers.authorization, cluster: a.labels['cluster'] ?? '', alertname: a.labels['alertname'] ?? '' });
      return { status: 200, body: 'ok' };
    },
  });
  set = await startClusters({ names: [CLUSTER] });
  admin = set.kubeConfig(CLUSTER);
}, 240_000);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await sink?.close();
  await set?.stop();
});

describe('the bundled agent', () => {
  it('in a cluster, as its ServiceAccount: reads its objects and Secret, marks them Accepted, and delivers', async () => {
    const server = set.get(CLUSTER);
    const dataDir = mkdtempSync(join(tmpdir(), 'herald-bundle-'));
    const kubeconfig = await agentKubeconfig(admin, { name: CLUSTER, url: server.url, caPem: server.caPem }, join(dataDir, 'agent.kubeconfig'));
    for (const o of [secret, settings(CLUSTER), receiver('/in-cluster')]) await apply(admin, o);
    const agent = await startAgent({ kubeconfig, dataDir, bundled: true });
    agents.push(agent);

    await until('the Receiver to be Accepted', async () => {
      const o = JSON.parse(await rawRequest(admin, 'GET', `/apis/herald.dev/v1alpha1/receivers/hook`)) as { status?: { conditions?: { type: string; status: string }[] } };
      return o.status?.conditions?.some((c) => c.type === 'Accepted' && c.status === 'True') ?? false;
    }, wait);
    expect(await post(agent, 'BundledInCluster')).toBe(200);
    await until('the notification at the sink', () => received.some((r) => r.alertname === 'BundledInCluster'), wait);
    expect(received.find((r) => r.alertname === 'BundledInCluster')).toEqual({ path: '/in-cluster', auth: 'Bearer bundle-token', cluster: CLUSTER, alertname: 'BundledInCluster' });
    expect(agent.output()).not.toMatch(/forbidden|Dynamic require|Cannot find module/i);
  });

  it('standalone, from a folder of objects', async () => {
    const agent = await startAgent({ configDir: configDir([secret, settings('bundle-standalone'), receiver('/standalone')]), bundled: true });
    agents.push(agent);
    expect(await post(agent, 'BundledStandalone')).toBe(200);
    await until('the notification at the sink', () => received.some((r) => r.alertname === 'BundledStandalone'), wait);
    expect(received.find((r) => r.alertname === 'BundledStandalone')).toEqual({ path: '/standalone', auth: 'Bearer bundle-token', cluster: 'bundle-standalone', alertname: 'BundledStandalone' });
  });
});
