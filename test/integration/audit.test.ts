/**
 * Audit events through the agent: a member kube-apiserver runs with the audit policy and webhook
 * kubeconfig from docs/audit/, pointing at a running agent (bearer token, port and
 * path as documented), and the default Audit Rules from examples/rules/ switched on. Creating,
 * reading and deleting objects through the API yields notifications at a webhook sink with the
 * right labels; objects no rule selects, and the agent's own reads, yield none.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { rawRequest } from '../../shared/src/k8s/raw.js';
import { startClusters, type ClusterSet } from '../harness/clusters.js';
import { AGENT_USER, agentKubeconfig } from '../support/agent-identity.js';
import { apply, loadManifests } from '../support/manifests.js';
import { until } from '../support/eventually.js';
import { freePort, startAgent, type AgentProcess } from '../wire/agent-process.js';
import { makeTestPki } from '../wire/certs.js';
import { startHttpServer, type TestHttpServer } from '../wire/http-server.js';

const CLUSTER = 'audit-member';
const NS = 'audit-test';
const examples = fileURLToPath(new URL('../../examples/', import.meta.url));
const apiServerFiles = fileURLToPath(new URL('../../docs/audit/', import.meta.url));

type Labels = Record<string, string>;
let set: ClusterSet;
let admin: KubeConfig;
let sink: TestHttpServer;
let agent: AgentProcess | undefined;
const token = randomBytes(16).toString('hex');
const dir = mkdtempSync(join(tmpdir(), 'herald-audit-'));
const seen: Labels[] = [];
/** The agent's serving certificate (for 127.0.0.1) and its CA. */
const pki = makeTestPki();

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** How long a wait may take, and what a timed-out one shows: the sink and the agent's output. */
const wait = { ms: 60_000, detail: () => `sink has ${JSON.stringify(seen)}\n${agent?.output() ?? ''}` };
const find = (want: Labels): Labels | undefined => seen.find((l) => Object.entries(want).every(([k, v]) => l[k] === v));

/** An HTTPS request; resolves with the status code. */
function send(url: string, opts: { method: string; ca: string; headers: Record<string, string>; body?: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method, ca: opts.ca, headers: opts.headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}
/** A request as the harness admin, optionally impersonating someone. */
const asAdmin = (method: string, path: string, headers: Record<string, string> = {}): Promise<number> => {
  const server = set.get(CLUSTER);
  return send(new URL(path, server.url).href, { method, ca: server.caPem, headers: { authorization: `Bearer ${server.token}`, ...headers } });
};

/** The example webhook kubeconfig, pointed at this test's agent and carrying its token. */
function webhookConfig(port: number): string {
  const config = parse(readFileSync(join(apiServerFiles, 'audit-webhook.kubeconfig.yaml'), 'utf8')) as {
    clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
    users: { user: { token: string } }[];
  };
  const server = new URL(config.clusters[0]?.cluster.server ?? '');
  expect([server.protocol, server.port, server.pathname]).toEqual(['https:', '19093', '/api/v2/audit']);
  const cluster = (config.clusters[0] as { cluster: { server: string; 'certificate-authority-data': string } }).cluster;
  cluster.server = `https://127.0.0.1:${port}${server.pathname}`;
  cluster['certificate-authority-data'] = Buffer.from(pki.ca).toString('base64');
  (config.users[0] as { user: { token: string } }).user.token = token;
  const path = join(dir, 'audit-webhook.kubeconfig.yaml');
  writeFileSync(path, stringify(config), { mode: 0o600 });
  return path;
}

beforeAll(async () => {
  sink = await startHttpServer({
    handler: (req) => {
      for (const a of (JSON.parse(req.body) as { alerts: { labels: Labels }[] }).alerts) seen.push(a.labels);
      return { status: 200, body: 'ok' };
    },
  });
  const port = await freePort();
  set = await startClusters({
    names: [CLUSTER],
    extraArgs: {
      [CLUSTER]: [
        `--audit-policy-file=${join(apiServerFiles, 'audit-policy.yaml')}`,
        `--audit-webhook-config-file=${webhookConfig(port)}`,
        '--audit-webhook-batch-max-wait=1s',
        '--audit-webhook-initial-backoff=1s',
      ],
    },
  });
  admin = set.kubeConfig(CLUSTER);
  const server = set.get(CLUSTER);
  const agentConfig = await agentKubeconfig(admin, { name: CLUSTER, url: server.url, caPem: server.caPem }, join(dir, 'agent.kubeconfig'));
  await rawRequest(admin, 'POST', '/api/v1/namespaces', { body: JSON.stringify({ metadata: { name: NS } }) });
  await apply(admin, { apiVersion: 'herald.dev/v1alpha1', kind: 'Settings', metadata: { name: 'default' }, spec: { batchMaxWait: '1s', cluster: { name: CLUSTER } } } as never);
  await apply(admin, { apiVersion: 'herald.dev/v1alpha1', kind: 'Receiver', metadata: { name: 'sink', labels: { type: 'global' } }, spec: { webhook: { url: `${sink.origin}/audit` } } } as never);
  // The shipped default Audit Rules, switched on.
  const defaults = (await loadManifests(join(examples, 'rules'))).filter((m) => m.file === 'audit-defaults.yaml');
  expect(defaults.map((m) => m.object.metadata?.name).sort()).toEqual(['denied-requests', 'exec-attach-portforward', 'rbac-changes', 'secret-reads-by-people']);
  for (const m of defaults) await apply(admin, { ...m.object, spec: { ...(m.object['spec'] as object), enabled: true } } as never);
  agent = await startAgent({ kubeconfig: agentConfig, dataDir: join(dir, 'data'), port, tokens: { ingest: token, admin: `admin-${token}` }, tls: { ...pki.server, ca: pki.ca } });
  await until('the Rules to be in use', async () => {
    const o = JSON.parse(await rawRequest(admin, 'GET', '/apis/herald.dev/v1alpha1/rules/denied-requests')) as { status?: { conditions?: { type: string; status: string }[] } };
    return o.status?.conditions?.some((c) => c.type === 'Accepted' && c.status === 'True') ?? false;
  }, wait);
}, 300_000);

afterAll(async () => {
  await agent?.stop();
  await set?.stop();
  await sink?.close();
});

describe('API-server audit events', () => {
  it('create, read and delete through the API notify with the right labels; what no rule selects does not', async () => {
    const rb = `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/rolebindings`;
    const binding = { metadata: { name: 'audit-rb' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', name: 'mallory', apiGroup: 'rbac.authorization.k8s.io' }] };
    await rawRequest(admin, 'POST', rb, { body: JSON.stringify(binding) });
    await rawRequest(admin, 'POST', `/api/v1/namespaces/${NS}/secrets`, { body: JSON.stringify({ metadata: { name: 'audit-secret' }, stringData: { password: 'x' } }) });
    await rawRequest(admin, 'GET', `/api/v1/namespaces/${NS}/secrets/audit-secret`);
    await rawRequest(admin, 'DELETE', `${rb}/audit-rb`);
    await rawRequest(admin, 'DELETE', `/api/v1/namespaces/${NS}/secrets/audit-secret`);
    // Selected by no rule: a ConfigMap created, read and deleted.
    await rawRequest(admin, 'POST', `/api/v1/namespaces/${NS}/configmaps`, { body: JSON.stringify({ metadata: { name: 'audit-cm' }, data: { a: 'b' } }) });
    await rawRequest(admin, 'GET', `/api/v1/namespaces/${NS}/configmaps/audit-cm`);
    await rawRequest(admin, 'DELETE', `/api/v1/namespaces/${NS}/configmaps/audit-cm`);
    // Denied: mallory may not read ConfigMaps. And an exec attempt (there is no such pod).
    expect(await asAdmin('GET', `/api/v1/namespaces/${NS}/configmaps/forbidden-cm`, { 'Impersonate-User': 'mallory' })).toBe(403);
    expect(await asAdmin('GET', `/api/v1/namespaces/${NS}/pods/no-such-pod/exec?command=ls`)).toBeGreaterThanOrEqual(400);

    const common = { alerttype: 'auditing', cluster: CLUSTER, namespace: NS, user: 'herald-admin' };
    const want: Labels[] = [
      { ...common, alertname: 'rbac-changes', verb: 'create', resource: 'rolebindings', group: 'rbac.authorization.k8s.io', name: 'audit-rb', code: '201' },
      { ...common, alertname: 'secret-reads-by-people', verb: 'get', resource: 'secrets', name: 'audit-secret', code: '200' },
      { ...common, alertname: 'rbac-changes', verb: 'delete', resource: 'rolebindings', name: 'audit-rb', code: '200' },
      { ...common, alertname: 'denied-requests', verb: 'get', resource: 'configmaps', name: 'forbidden-cm', code: '403', severity: 'error' },
      { ...common, alertname: 'exec-attach-portforward', resource: 'pods', subresource: 'exec', name: 'no-such-pod' },
    ];
    await until('every selected request', () => want.every((w) => find(w) !== undefined), wait);
    await sleep(4000);
    expect(seen.filter((l) => l['name'] === 'audit-cm'), 'ConfigMap requests no rule selects').toEqual([]);
    expect(seen.filter((l) => l['resource'] === 'secrets' && l['verb'] !== 'get'), 'Secret writes are not reads').toEqual([]);
    expect(seen.filter((l) => l['user'] === AGENT_USER), 'the agent’s own requests').toEqual([]);
    for (const w of want) expect(seen.filter((l) => Object.entries(w).every(([k, v]) => l[k] === v)), JSON.stringify(w)).toHaveLength(1);
  });

  it('keeps up with the API server: a 400-event batch is stored and answered in milliseconds', async () => {
    const item = (i: number): unknown => ({
      kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: `bench-${i}`, stage: 'ResponseComplete', requestURI: `/api/v1/namespaces/${NS}/configmaps/c${i}`, verb: 'get',
      user: { username: 'system:serviceaccount:kube-system:generic', groups: ['system:serviceaccounts', 'system:authenticated'] }, sourceIPs: ['10.0.0.1'], userAgent: 'kube-controller-manager/v1.35.4',
      objectRef: { resource: 'configmaps', namespace: NS, name: `c${i}`, apiVersion: 'v1' }, responseStatus: { metadata: {}, code: 200 },
      requestReceivedTimestamp: '2026-11-21T12:00:00.000000Z', stageTimestamp: '2026-11-21T12:00:00.001000Z', annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': 'RBAC: allowed by ClusterRoleBinding' },
    });
    const body = JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: Array.from({ length: 400 }, (_, i) => item(i)) });
    const post = (auth = `Bearer ${token}`): Promise<number> =>
      send(`${agent?.url ?? ''}/api/v2/audit`, { method: 'POST', ca: pki.ca, headers: { 'content-type': 'application/json', authorization: auth }, body });
    expect(await post('Bearer wrong')).toBe(401);
    const ms: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      expect(await post()).toBe(200);
      ms.push(performance.now() - t0);
    }
    ms.sort((a, b) => a - b);
    console.log(`audit ingest: 400-event batch (${(body.length / 1024).toFixed(0)} KiB) median ${ms[15]?.toFixed(1)} ms, max ${ms[29]?.toFixed(1)} ms`);
    // The API server's webhook times out after 30 s by default; stay far from it.
    expect(ms[15]).toBeLessThan(1000);
  });
});
