/**
 * heraldctl's host commands end to end. `silence add|query|expire`: the Silence heraldctl writes on a real host is
 * propagated to a real member, whose agent then mutes the alerts it matches (and only those);
 * query shows it; expire lifts it on the member too, and the muted alert's next firing reaches
 * the receiver. Mistakes are one-line usage errors that create nothing. `status`: calm while all
 * is well (exit 0); then a member that cannot be reached and a receiver whose sends fail each show
 * up, with the reason, and status exits 1.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PropagationController } from '../../host/src/propagation/controller.js';
import { startClusters, type ClusterSet } from '../harness/clusters.js';
import { kubeconfigYaml } from '../harness/kubeconfig.js';
import { freePort } from '../harness/net.js';
import { rawRequest } from '../harness/crds.js';
import { eventually, holds } from '../support/eventually.js';
import { registerMembers } from '../support/federation.js';
import { apply } from '../support/manifests.js';
import { startAgent, type AgentProcess } from '../wire/agent-process.js';
import { startHttpServer, type TestHttpServer } from '../wire/http-server.js';

const CTL = fileURLToPath(new URL('../../host/src/ctl/cli.ts', import.meta.url));
const API = 'herald.dev/v1alpha1';
let set: ClusterSet;
let host: KubeConfig;
let controller: PropagationController;
let sink: TestHttpServer;
let agent: AgentProcess;

function heraldctl(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CTL, ...args, '--kubeconfig', set.get('hub').kubeconfigPath], { env: { PATH: process.env['PATH'] ?? '', HOME: '/nonexistent', USER: 'ana' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}

type Obj = { metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec: Record<string, unknown>; status?: { summary?: string; conditions?: { type: string; status: string }[] } };
const getObject = (kc: KubeConfig, name: string): Promise<Obj | undefined> =>
  rawRequest(kc, 'GET', `/apis/${API}/silences/${name}`).then((t) => JSON.parse(t) as Obj, () => undefined);
const silences = async (kc: KubeConfig): Promise<Obj[]> => (JSON.parse(await rawRequest(kc, 'GET', `/apis/${API}/silences`)) as { items: Obj[] }).items;

async function fire(...names: string[]): Promise<void> {
  const res = await fetch(`${agent.url}/api/v2/alerts`, { method: 'POST', headers: agent.headers('ingest'), body: JSON.stringify({ alerts: names.map((alertname) => ({ labels: { alertname, run: String(Math.random()) } })) }) });
  expect(res.status).toBe(200);
}
const delivered = (): string[] => sink.requests.flatMap((r) => (JSON.parse(r.body) as { alerts: { labels: Record<string, string> }[] }).alerts.map((a) => a.labels['alertname'] ?? ''));

beforeAll(async () => {
  set = await startClusters({ names: ['hub', 'member-a'] });
  host = set.kubeConfig('hub');
  sink = await startHttpServer({ handler: () => ({ status: 200, body: 'ok' }) });
  await registerMembers(host, set, { 'member-a': { env: 'prod' } });
  await apply(host, { apiVersion: API, kind: 'Receiver', metadata: { name: 'sink', labels: { type: 'global' } }, spec: { webhook: { url: sink.origin } } } as never);
  await apply(host, { apiVersion: API, kind: 'Settings', metadata: { name: 'default' }, spec: { batchMaxWait: '0s' } } as never);
  controller = new PropagationController({ kc: host, log: () => undefined, resyncMs: 1000, maxBackoffMs: 2000, failureThresholdMs: 3000, secretNamespaces: ['herald-system'] });
  await controller.start();
  agent = await startAgent({ kubeconfig: set.get('member-a').kubeconfigPath, args: ['--heartbeat-seconds', '1'] });
  // The receiver is live on the member before anything is silenced.
  await eventually(async () => {
    await fire('Warmup');
    return delivered().includes('Warmup') || undefined;
  }, () => `the sink got ${JSON.stringify(delivered())}`, 60_000);
}, 180_000);

afterAll(async () => {
  await agent?.stop();
  await controller?.stop();
  await sink?.close();
  await set?.stop();
});

describe('heraldctl silence', () => {
  let name = '';

  it('add writes a Silence that the member’s agent mutes by, and says where it goes', async () => {
    const r = await heraldctl('silence', 'add', 'DiskFull', 'severity!=info', '--comment', 'disk swap on db-1', '--duration', '2h');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const [first, second] = r.out.trim().split('\n');
    name = first ?? '';
    expect(name).toMatch(/^silence-[a-z0-9]{5}$/);
    expect(second).toBe('goes to member-a (no PropagationPolicy selects it, so every member)');
    const made = await getObject(host, name);
    expect(made?.metadata.annotations).toMatchObject({ 'herald.dev/comment': 'disk swap on db-1', 'herald.dev/author': 'ana' });
    expect(made?.spec).toMatchObject({ matcher: { matchLabels: { alertname: 'DiskFull' }, matchExpressions: [{ key: 'severity', operator: 'NotIn', values: ['info'] }] }, duration: '2h' });
    const member = set.kubeConfig('member-a');
    await eventually(async () => ((await getObject(member, name))?.status?.conditions?.find((c) => c.type === 'Accepted')?.status === 'True' ? true : undefined), () => `${name} accepted on member-a`, 60_000);

    const before = delivered().length;
    await fire('DiskFull', 'Loud');
    await eventually(() => holds(() => delivered().slice(before).includes('Loud')), () => `Loud at the sink: ${JSON.stringify(delivered().slice(before))}`);
    // Loud was in the same post; DiskFull, muted, is not delivered with it or after.
    await new Promise((r) => setTimeout(r, 1500));
    expect(delivered().slice(before)).toEqual(['Loud']);
  });

  it('query shows it active with its matchers and placement, and filters by an alert’s labels', async () => {
    await eventually(async () => ((await getObject(host, name))?.status?.summary === '1/1' ? true : undefined), () => `${name} applied on 1/1`);
    const all = await heraldctl('silence', 'query');
    expect(all.code).toBe(0);
    const lines = all.out.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+STATE\s+MATCHERS\s+STARTS\s+ENDS\s+SCOPE\s+CLUSTERS\s+COMMENT$/);
    const row = lines.find((l) => l.startsWith(name)) ?? '';
    expect(row).toMatch(/ active /);
    expect(row).toContain('alertname="DiskFull" severity!="info"');
    expect(row).toMatch(/ global\s+1\/1\s+disk swap on db-1$/);
    expect((await heraldctl('silence', 'query', 'alertname=DiskFull', 'severity=critical')).out).toContain(name);
    expect((await heraldctl('silence', 'query', 'alertname=DiskFull', 'severity=info')).out.trim()).toBe('no active or pending silences');
    const json = JSON.parse((await heraldctl('silence', 'query', '-o', 'json')).out) as { items: Obj[] };
    expect(json.items.map((s) => s.metadata.name)).toContain(name);
  });

  it('expire lifts it on the member: the next DiskFull is delivered', async () => {
    const r = await heraldctl('silence', 'expire', name);
    expect(r.out.trim()).toBe(`${name} expired`);
    await eventually(async () => ((await getObject(set.kubeConfig('member-a'), name))?.spec['enabled'] === false ? true : undefined), () => `${name} disabled on member-a`);
    const before = delivered().length;
    await eventually(async () => {
      await fire('DiskFull');
      return delivered().slice(before).includes('DiskFull') || undefined;
    }, () => `DiskFull at the sink after expire: ${JSON.stringify(delivered().slice(before))}`);
    expect((await heraldctl('silence', 'query')).out.trim()).toBe('no active or pending silences');
    expect((await heraldctl('silence', 'query', '--expired')).out).toMatch(new RegExp(`^${name}\\s+expired`, 'm'));
  });

  it('answers mistakes with one line and creates nothing (more cases in test/wire/cli-errors)', async () => {
    const count = (await silences(host)).length;
    const cases: [string[], string][] = [
      [['silence', 'add', 'job!~batch.*', '--comment', 'x'], 'Herald selectors have no negative regex'],
      [['silence', 'add', 'DiskFull'], '--comment is required'],
    ];
    for (const [args, message] of cases) {
      const r = await heraldctl(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.split('\n')[0], args.join(' ')).toContain(message);
      expect(r.err.trim().split('\n')).toHaveLength(2);
    }
    const missing = await heraldctl('silence', 'expire', 'no-such-silence');
    expect(missing.code).toBe(1);
    expect(missing.err.trim()).toBe('heraldctl: no silence no-such-silence on the host');
    expect((await silences(host)).length).toBe(count);
  });
});

describe('heraldctl status', () => {
  type Report = { members: { name: string; ready: string; agent: string; synced: string; problems: string[] }[]; problems: { object: string; member: string; state: string }[]; failing: { receiver: string; member: string; delivery: { lastError?: string } }[] };
  const report = async (): Promise<{ code: number | null; r: Report }> => {
    const run = await heraldctl('status', '-o', 'json');
    return { code: run.code, r: JSON.parse(run.out) as Report };
  };

  it('is calm while every member is ready, everything applied and delivering (exit 0)', async () => {
    const calm = await eventually(async () => {
      const { code, r } = await report();
      return code === 0 ? r : undefined;
    }, () => 'status exits 0', 60_000);
    expect(calm.members.map((m) => [m.name, m.ready, m.agent, m.synced])).toEqual([['member-a', 'True', 'True', 'True']]);
    const text = await heraldctl('status');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^member-a\s+True\s+True\s+True\s+v\d/m);
    expect(text.out).toMatch(/^propagation: all \d+ objects applied on every member they are placed on$/m);
    expect(text.out).toContain('delivery: no receiver is failing');
  });

  it('shows a member that cannot be reached and a receiver whose sends fail, with the reasons (exit 1)', async () => {
    const closed = await freePort();
    await apply(host, { apiVersion: API, kind: 'Receiver', metadata: { name: 'down-hook', labels: { type: 'global' } }, spec: { webhook: { url: `http://127.0.0.1:${closed}/hook` } } } as never);
    const ghost = kubeconfigYaml({ name: 'ghost', server: `https://127.0.0.1:${await freePort()}`, caPem: '', token: 'x' });
    await apply(host, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'ghost-kubeconfig', namespace: 'herald-clusters' }, stringData: { kubeconfig: ghost } } as never);
    await apply(host, { apiVersion: API, kind: 'MemberCluster', metadata: { name: 'ghost' }, spec: { kubeconfigSecretRef: { namespace: 'herald-clusters', name: 'ghost-kubeconfig', key: 'kubeconfig' } } } as never);
    await apply(host, { apiVersion: API, kind: 'PropagationPolicy', metadata: { name: 'typo' }, spec: { resourceSelectors: [{ kind: 'Template' }], placement: { clusterNames: ['member-aa'] } } } as never);
    await eventually(async () => ((await rawRequest(set.kubeConfig('member-a'), 'GET', `/apis/${API}/receivers/down-hook`).then(() => true, () => false)) ? true : undefined), () => 'down-hook on member-a');
    const broken = await eventually(async () => {
      await fire('Probe');
      const { code, r } = await report();
      const ghostDown = r.members.some((m) => m.name === 'ghost' && m.ready === 'False');
      const failing = r.failing.some((f) => f.receiver === 'down-hook' && f.member === 'member-a');
      return code === 1 && ghostDown && failing ? r : undefined;
    }, () => 'status shows ghost down and down-hook failing', 90_000);
    expect(broken.members.find((m) => m.name === 'ghost')?.problems[0]).toMatch(/^Ready=False: /);
    expect(broken.problems).toEqual(expect.arrayContaining([expect.objectContaining({ object: 'Receiver/sink', member: 'ghost', state: 'ClusterNotReady' })]));
    expect(broken.problems.some((p) => p.member === 'member-a')).toBe(false);
    expect(broken.problems).toContainEqual(expect.objectContaining({ object: 'PropagationPolicy/typo', member: 'member-aa', state: 'UnknownCluster' }));
    expect(broken.failing.find((f) => f.receiver === 'down-hook')?.delivery.lastError).toMatch(/ECONNREFUSED|connect/i);
    // The host Receivers say it too: Delivering (kubectl's DELIVERY column) False naming the member.
    const delivering = async (name: string) =>
      ((JSON.parse(await rawRequest(host, 'GET', `/apis/${API}/receivers/${name}`)) as Obj).status?.conditions ?? []).find((c) => c.type === 'Delivering') as { status: string; message?: string } | undefined;
    const down = await eventually(async () => ((await delivering('down-hook'))?.status === 'False' ? delivering('down-hook') : undefined), () => 'down-hook Delivering False');
    expect(down?.message).toMatch(/^member-a: .*(ECONNREFUSED|connect)/i);
    expect((await delivering('sink'))?.status).toBe('True');
    const text = await heraldctl('status');
    expect(text.code).toBe(1);
    expect(text.out).toMatch(/^ghost\s+False\s/m);
    expect(text.out).toMatch(/^Receiver\/sink\s+ghost\s+ClusterNotReady/m);
    expect(text.out).toMatch(/^down-hook\s+member-a\s+\d+\s+\d+\s+\d+\s+\S/m);
  });
});

describe('an object the member’s agent refuses', () => {
  type Status = { summary?: string; conditions?: { type: string; status: string; reason: string }[]; clusters?: { name: string; state: string; message?: string; accepted?: string }[] };
  const status = async (name: string): Promise<{ uid: string; status: Status }> => {
    const o = JSON.parse(await rawRequest(host, 'GET', `/apis/${API}/silences/${name}`)) as { metadata: { uid: string }; status?: Status };
    return { uid: o.metadata.uid, status: o.status ?? {} };
  };
  const onA = (s: Status) => s.clusters?.find((c) => c.name === 'member-a');

  it('is Rejected on the host with the agent’s reason, not READY, with an Event; fixed, it is Applied and accepted', async () => {
    await apply(host, { apiVersion: API, kind: 'Silence', metadata: { name: 'bad-cron' }, spec: { matcher: { matchLabels: { alertname: 'Nightly' } }, schedule: 'every night', duration: '1h' } } as never);
    const rejected = await eventually(async () => {
      const s = await status('bad-cron');
      return onA(s.status)?.state === 'Rejected' ? s : undefined;
    }, () => 'bad-cron Rejected on member-a', 60_000);
    expect(onA(rejected.status)).toMatchObject({ accepted: 'False' });
    expect(onA(rejected.status)?.message).toMatch(/^the agent refused it: spec\.schedule: .*cron/);
    expect(rejected.status.conditions?.find((c) => c.type === 'Propagated')).toMatchObject({ status: 'False' });
    expect(rejected.status.summary).toMatch(/^0\//);
    const events = await eventually(async () => {
      const list = JSON.parse(await rawRequest(host, 'GET', `/api/v1/events?fieldSelector=${encodeURIComponent('involvedObject.name=bad-cron')}`)) as { items: { reason: string; message: string; involvedObject: { uid?: string } }[] };
      return list.items.find((e) => e.reason === 'Rejected');
    }, () => 'a Rejected Event on bad-cron');
    expect(events.involvedObject.uid).toBe(rejected.uid);
    expect(events.message).toMatch(/^on member-a: the agent refused it: /);
    const st = await heraldctl('status');
    expect(st.code).toBe(1);
    expect(st.out).toMatch(/^Silence\/bad-cron\s+member-a\s+Rejected\s/m);

    await apply(host, { apiVersion: API, kind: 'Silence', metadata: { name: 'bad-cron' }, spec: { matcher: { matchLabels: { alertname: 'Nightly' } }, schedule: '0 2 * * *', duration: '1h' } } as never);
    const fixed = await eventually(async () => {
      const s = await status('bad-cron');
      return onA(s.status)?.state === 'Applied' && onA(s.status)?.accepted === 'True' ? s : undefined;
    }, () => 'bad-cron Applied and accepted on member-a', 60_000);
    expect(onA(fixed.status)?.message).toBeUndefined();
  });
});
