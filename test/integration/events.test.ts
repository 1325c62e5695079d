/**
 * Kubernetes Events through the agent, on a member API server of its own (so it can be restarted):
 * the agent watches events.k8s.io/v1 Events with its ServiceAccount's least privilege, a single
 * Warning event notifies once with the labels the issue asks for, a repeating series is one
 * notification, and killing the agent and restarting the API server in the middle neither loses
 * nor repeats a notification. Rules in the cluster select, and a bad Rule is marked not Accepted.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../../shared/src/k8s/raw.js';
import { startClusters, type ClusterSet } from '../harness/clusters.js';
import { agentKubeconfig } from '../support/agent-identity.js';
import { apply } from '../support/manifests.js';
import { until } from '../support/eventually.js';
import { startAgent, type AgentProcess } from '../wire/agent-process.js';
import { startHttpServer, type TestHttpServer } from '../wire/http-server.js';

const CLUSTER = 'events-member';
const NS = 'shop';

interface Seen {
  name: string;
  count: string;
  labels: Record<string, string>;
}

let set: ClusterSet;
let admin: KubeConfig;
let sink: TestHttpServer;
let agent: AgentProcess | undefined;
let agentConfig: string;
const dataDir = mkdtempSync(join(tmpdir(), 'herald-events-'));
const seen: Seen[] = [];

/** How long a wait may take, and what a timed-out one shows: the sink and the agent's output. */
const wait = { ms: 60_000, detail: () => `sink has ${JSON.stringify(seen.map((s) => `${s.name}:${s.count}`))}\n${agent?.output() ?? ''}` };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** MicroTime: the API server wants six fraction digits. */
const micro = (d = new Date()): string => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
const got = (name: string, count = '1'): boolean => seen.some((s) => s.name === name && s.count === count);
const times = (name: string, count = '1'): number => seen.filter((s) => s.name === name && s.count === count).length;

const eventsPath = `/apis/events.k8s.io/v1/namespaces/${NS}/events`;
/** Creates an event about Pod `pod`; returns its name. */
async function createEvent(pod: string, opts: { type?: 'Warning' | 'Normal'; reason?: string } = {}): Promise<string> {
  const name = `${pod}.${Date.now().toString(16)}`;
  await rawRequest(admin, 'POST', eventsPath, {
    body: JSON.stringify({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name, namespace: NS },
      eventTime: micro(),
      reportingController: 'herald.dev/test',
      reportingInstance: 'test-1',
      action: 'Testing',
      reason: opts.reason ?? 'BackOff',
      regarding: { apiVersion: 'v1', kind: 'Pod', name: pod, namespace: NS },
      note: `something happened to ${pod}`,
      type: opts.type ?? 'Warning',
    }),
  });
  return name;
}
/** The event happened again: its series count rises to `count`. */
async function repeat(name: string, count: number): Promise<void> {
  await rawRequest(admin, 'PATCH', `${eventsPath}/${name}`, {
    contentType: 'application/merge-patch+json',
    body: JSON.stringify({ series: { count, lastObservedTime: micro() } }),
  });
}
const restartApiServer = async (): Promise<void> => {
  const server = set.get(CLUSTER);
  await server.stop();
  await server.start();
};

beforeAll(async () => {
  sink = await startHttpServer({
    handler: (req) => {
      const body = JSON.parse(req.body) as { alerts: { labels: Record<string, string>; annotations: Record<string, string> }[] };
      for (const a of body.alerts) seen.push({ name: a.labels['name'] ?? '', count: a.annotations['count'] ?? '', labels: a.labels });
      return { status: 200, body: 'ok' };
    },
  });
  set = await startClusters({ names: [CLUSTER] });
  admin = set.kubeConfig(CLUSTER);
  const server = set.get(CLUSTER);
  agentConfig = await agentKubeconfig(admin, { name: CLUSTER, url: server.url, caPem: server.caPem }, join(dataDir, 'agent.kubeconfig'));
  await rawRequest(admin, 'POST', '/api/v1/namespaces', { body: JSON.stringify({ metadata: { name: NS } }) });
  await apply(admin, { apiVersion: 'herald.dev/v1alpha1', kind: 'Settings', metadata: { name: 'default' }, spec: { batchMaxWait: '2s', cluster: { name: CLUSTER } } } as never);
  await apply(admin, {
    apiVersion: 'herald.dev/v1alpha1',
    kind: 'Receiver',
    metadata: { name: 'sink', labels: { type: 'global' } },
    spec: { webhook: { url: `${sink.origin}/events` } },
  } as never);
  agent = await startAgent({ kubeconfig: agentConfig, dataDir });
  // Events that exist when the agent first lists are taken as known: wait until its watch is live.
  let n = 0;
  await until('the Events watch to be live', async () => {
    await createEvent(`canary-${n++}`);
    await sleep(1500);
    return seen.some((s) => s.name.startsWith('canary-'));
  }, wait);
}, 300_000);

afterAll(async () => {
  await agent?.stop();
  await set?.stop();
  await sink?.close();
});

describe('Kubernetes Events', () => {
  it('a Warning event notifies once, labelled; a Normal one does not (no Event rule: Warning events notify)', async () => {
    await createEvent('web-1');
    await createEvent('quiet-1', { type: 'Normal', reason: 'Scheduled' });
    await until('web-1', () => got('web-1'), wait);
    expect(seen.find((s) => s.name === 'web-1')?.labels).toEqual({
      alertname: 'warning-events',
      alerttype: 'event',
      namespace: NS,
      reason: 'BackOff',
      kind: 'Pod',
      name: 'web-1',
      severity: 'warning',
      cluster: CLUSTER,
    });
    await sleep(3000);
    expect(seen.filter((s) => s.name === 'quiet-1')).toEqual([]);
    expect(times('web-1')).toBe(1);
  });

  it('a repeating series is one notification carrying the latest count, not a storm', async () => {
    const name = await createEvent('storm-1');
    for (let count = 2; count <= 12; count++) await repeat(name, count);
    await until('storm-1', () => seen.some((s) => s.name === 'storm-1'), wait);
    await sleep(4000);
    expect(seen.filter((s) => s.name === 'storm-1').map((s) => s.count)).toEqual(['12']);
  });

  it('killing the agent and restarting the API server in the middle neither loses nor repeats a notification', async () => {
    const before = await createEvent('kept-1');
    await until('kept-1', () => got('kept-1'), wait);
    await agent?.kill();
    // While the agent is down: an event repeats and a new one happens; then the API server restarts.
    await repeat(before, 5);
    await createEvent('while-down-1');
    await restartApiServer();
    agent = await startAgent({ kubeconfig: agentConfig, dataDir });
    await until('what happened while the agent was down', () => got('kept-1', '5') && got('while-down-1'), wait);
    // The API server restarts under the running agent: its watch resumes and misses nothing.
    await restartApiServer();
    await createEvent('after-restart-1');
    await until('after-restart-1', () => got('after-restart-1'), wait);
    await sleep(4000);
    const counts = new Map<string, number>();
    for (const s of seen) counts.set(`${s.name}:${s.count}`, (counts.get(`${s.name}:${s.count}`) ?? 0) + 1);
    const repeated = [...counts].filter(([, n]) => n > 1);
    expect(repeated, 'notified more than once').toEqual([]);
    for (const key of ['web-1:1', 'storm-1:12', 'kept-1:1', 'kept-1:5', 'while-down-1:1', 'after-restart-1:1']) expect(counts.get(key), key).toBe(1);
    expect(seen.some((s) => s.name === 'quiet-1')).toBe(false);
  });

  it('Event Rules in the cluster select and label; a bad one is not Accepted and names the field', async () => {
    const rule = (name: string, spec: unknown): never => ({ apiVersion: 'herald.dev/v1alpha1', kind: 'Rule', metadata: { name }, spec }) as never;
    await apply(admin, rule('bad-regex', { source: 'Event', event: { messageRegex: '(unclosed' } }));
    // Valid JavaScript, but not RE2 (linear-time matching has no lookahead): refused, saying so.
    await apply(admin, rule('lookahead', { source: 'Event', event: { messageRegex: '^(?!Back-off)' } }));
    await apply(admin, rule('scheduling', { source: 'Event', event: { type: ['Normal'], reasons: ['Scheduled'] }, severity: 'info', labels: { team: 'shop' } }));
    const accepted = async (name: string): Promise<{ status: string; message: string } | undefined> => {
      const o = JSON.parse(await rawRequest(admin, 'GET', `/apis/herald.dev/v1alpha1/rules/${name}`)) as { status?: { conditions?: { type: string; status: string; message: string }[] } };
      return o.status?.conditions?.find((c) => c.type === 'Accepted');
    };
    await until(
      'the Rules to be judged',
      async () => (await accepted('scheduling'))?.status === 'True' && (await accepted('bad-regex'))?.status === 'False' && (await accepted('lookahead'))?.status === 'False',
      wait,
    );
    expect((await accepted('bad-regex'))?.message).toContain('spec.event.messageRegex: invalid regular expression');
    expect((await accepted('lookahead'))?.message).toContain(
      'spec.event.messageRegex: unsupported regular expression syntax: negative lookahead (?!…) is not supported (patterns use RE2 syntax, as Alertmanager and Notification Manager do)',
    );
    // With an Event rule in place the default is off: only what the rule selects notifies.
    await createEvent('scheduled-1', { type: 'Normal', reason: 'Scheduled' });
    await createEvent('ignored-1');
    await until('scheduled-1', () => got('scheduled-1'), wait);
    expect(seen.find((s) => s.name === 'scheduled-1')?.labels).toMatchObject({ alertname: 'scheduling', team: 'shop', severity: 'info', alerttype: 'event', cluster: CLUSTER });
    await sleep(3000);
    expect(seen.some((s) => s.name === 'ignored-1')).toBe(false);
  });
});
