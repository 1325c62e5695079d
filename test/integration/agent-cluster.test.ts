/**
 * The agent in a cluster: it reads Herald objects and their Secrets from a real kube-apiserver,
 * applies changes without a restart, and marks each object Accepted (or not, saying why).
 */
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startAgent, type AgentProcess } from '../wire/agent-process.js';
import { startHttpServer, type TestHttpServer } from '../wire/http-server.js';
import { apply } from '../support/manifests.js';
import { until } from '../support/eventually.js';
import { ClusterSource } from '../../member/src/config/cluster-source.js';

const kubeconfig = inject('kubeconfigs')['member-a'] as string;
const kc = new KubeConfig();
kc.loadFromFile(kubeconfig);
const core = kc.makeApiClient(CoreV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
const API = 'herald.dev/v1alpha1';
const USABLE = { 'herald.dev/usable': 'true' };

let sink: TestHttpServer;
let agent: AgentProcess;
const received: { path: string; auth: string | undefined; cluster: string; alertname: string }[] = [];

const post = async (alertname: string): Promise<void> => {
  const res = await fetch(`${agent.url}/api/v2/alerts`, {
    method: 'POST',
    headers: agent.headers('ingest'),
    body: JSON.stringify({ version: '4', status: 'firing', alerts: [{ labels: { alertname, cluster: 'lies' }, startsAt: new Date().toISOString() }] }),
  });
  expect(res.status).toBe(200);
};
const wait = { ms: 15_000 };
/** The webhook Receiver under test, posting to `path` on the sink with the Secret's token. */
const hookReceiver = (path: string): never =>
  ({
    apiVersion: API,
    kind: 'Receiver',
    metadata: { name: 'hook', labels: { type: 'global' } },
    spec: { webhook: { url: `${sink.origin}${path}`, httpConfig: { bearerToken: { valueFrom: { secretKeyRef: { name: 'hook', key: 'token' } } } } } },
  }) as never;
const condition = async (plural: string, name: string): Promise<{ status: string; message: string } | undefined> => {
  const o = (await custom.getClusterCustomObject({ group: 'herald.dev', version: 'v1alpha1', plural, name })) as { status?: { conditions?: { type: string; status: string; message: string }[] } };
  return o.status?.conditions?.find((c) => c.type === 'Accepted');
};

beforeAll(async () => {
  sink = await startHttpServer({
    handler: (req) => {
      const body = JSON.parse(req.body) as { alerts: { labels: Record<string, string> }[] };
      for (const a of body.alerts) received.push({ path: req.url, auth: req.headers.authorization, cluster: a.labels['cluster'] ?? '', alertname: a.labels['alertname'] ?? '' });
      return { status: 200, body: 'ok' };
    },
  });
  await core.createNamespace({ body: { metadata: { name: 'herald-system' } } }).catch(() => undefined);
  // Made on the member by hand, so offered to Herald objects by label (the host's copies carry its marks).
  await apply(kc, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'hook', namespace: 'herald-system', labels: USABLE }, stringData: { token: 'first-token' } } as never);
  await apply(kc, { apiVersion: API, kind: 'Settings', metadata: { name: 'default' }, spec: { batchMaxWait: '0s', cluster: { name: 'member-a' } } } as never);
  await apply(kc, hookReceiver('/v1'));
  agent = await startAgent({ kubeconfig });
});

afterAll(async () => {
  await agent?.stop();
  await sink?.close();
});

describe('agent in a cluster', () => {
  it('delivers with the objects and Secret it reads from the API server, stamping its own cluster', async () => {
    await post('first');
    await until('first at the sink', () => received.some((r) => r.alertname === 'first'), wait);
    expect(received.find((r) => r.alertname === 'first')).toEqual({ path: '/v1', auth: 'Bearer first-token', cluster: 'member-a', alertname: 'first' });
    await until('the hook Receiver Accepted', async () => (await condition('receivers', 'hook'))?.status === 'True', wait);
  });

  it('takes a changed Receiver and a rotated Secret without a restart', async () => {
    await apply(kc, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'hook', namespace: 'herald-system', labels: USABLE }, stringData: { token: 'second-token' } } as never);
    await apply(kc, hookReceiver('/v2'));
    // Configuration reloads are asynchronous: keep posting until the new settings are in use.
    let n = 0;
    await until('the changed Receiver and the rotated Secret in use', async () => {
      await post(`second-${n++}`);
      await new Promise((r) => setTimeout(r, 200));
      return received.some((r) => r.path === '/v2' && r.auth === 'Bearer second-token');
    }, wait);
  });

  it('never sends a Secret of its namespace that is neither a host copy nor offered by label', async () => {
    // What join keeps beside the agent (its ingest token): a Receiver written on the host that names it must get nothing.
    await apply(kc, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'agent-own-token', namespace: 'herald-system' }, stringData: { token: 'MEMBER-LOCAL-TOKEN-42' } } as never);
    await apply(kc, {
      apiVersion: API,
      kind: 'Receiver',
      metadata: { name: 'steal', labels: { type: 'global' } },
      spec: { webhook: { url: `${sink.origin}/steal`, httpConfig: { bearerToken: { valueFrom: { secretKeyRef: { name: 'agent-own-token', key: 'token' } } } } } },
    } as never);
    const answers = async (): Promise<string[]> =>
      ((await (await fetch(`${agent.url}/api/v2/history?receiver=steal`, { headers: agent.headers('admin') })).json()) as { entries: { answer: string }[] }).entries.map((e) => e.answer);
    let n = 0;
    await until('the steal Receiver refused the agent-own-token Secret', async () => {
      await post(`steal-${n++}`);
      await new Promise((r) => setTimeout(r, 300));
      return (await answers()).some((a) => a.includes('Secret herald-system/agent-own-token not found'));
    }, { ms: 30_000 });
    expect(received.filter((r) => r.path === '/steal')).toEqual([]);
    await custom.deleteClusterCustomObject({ group: 'herald.dev', version: 'v1alpha1', plural: 'receivers', name: 'steal' });
  });

  it('marks an object it cannot use as not Accepted, naming the field, and keeps working', async () => {
    await apply(kc, { apiVersion: API, kind: 'Silence', metadata: { name: 'bad-cron', labels: { type: 'global' } }, spec: { matcher: {}, schedule: 'every night at two', duration: '1h' } } as never);
    await until('bad-cron not Accepted', async () => (await condition('silences', 'bad-cron'))?.status === 'False', wait);
    expect((await condition('silences', 'bad-cron'))?.message).toContain('spec.schedule: invalid cron expression');
    // The bad silence is left out: it mutes nothing, and delivery goes on.
    await post('after-bad-silence');
    await until('after-bad-silence at the sink', () => received.some((r) => r.alertname === 'after-bad-silence'), wait);
    await custom.deleteClusterCustomObject({ group: 'herald.dev', version: 'v1alpha1', plural: 'silences', name: 'bad-cron' });
  });

  it('builds its first configuration only once every kind has listed, and before start() returns', async () => {
    // With no debounce, a rebuild between two informers' lists would see the Receiver and not Settings.
    const seen: (string | undefined)[] = [];
    const source = new ClusterSource({
      kc,
      debounceMs: 0,
      log: () => undefined,
      onConfig: (config) => {
        seen.push(config.settings?.spec?.cluster?.name);
        return [];
      },
    });
    await source.start();
    const atStart = [...seen];
    await new Promise((r) => setTimeout(r, 500));
    await source.stop();
    expect(atStart.length).toBeGreaterThan(0);
    expect(seen.every((name) => name === 'member-a')).toBe(true);
  });
});
