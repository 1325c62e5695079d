/**
 * npm run demo: the main job, locally. A host and two member clusters (real kube-apiservers), the
 * host controller, an agent per member, a local SMTP mailbox and a webhook sink; Herald objects
 * applied on the host propagate to both members, sample Alertmanager alerts are posted into each
 * member's agent, and the notifications are shown as they arrive, each labelled with its cluster.
 * Ctrl-C stops everything it started. `--once` exits after the notifications arrived.
 */
import { SMTPServer } from 'smtp-server';
import { PropagationController } from '../host/src/propagation/controller.js';
import type { KubeConfig } from '@kubernetes/client-node';
import type { MemberCluster } from '@herald/shared';
import { rawRequest } from '@herald/shared/k8s';
import { clusterView, type ClusterView } from '../host/src/admin/views.js';
import { startClusters } from '../test/harness/clusters.js';
import { apply } from '../test/support/manifests.js';
import { join } from '../host/src/ctl/join.js';
import { serviceAccountKubeconfig } from '../test/support/federation.js';
import { startAgent, type AgentProcess } from '../test/wire/agent-process.js';
import { startHttpServer } from '../test/wire/http-server.js';

const once = process.argv.includes('--once');
const API = 'herald.dev/v1alpha1';
const say = (line: string): void => console.log(line);
const arrived = new Set<string>();

/** A header of a raw message, with RFC 2047 encoded words (=?utf-8?B?…?= / Q) decoded. */
function header(raw: string, name: string): string {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? '';
  const value = new RegExp(`^${name}:([^\\r\\n]*(?:\\r?\\n[ \\t][^\\r\\n]*)*)`, 'mi').exec(head)?.[1] ?? '';
  return value
    .replace(/\r?\n[ \t]/g, ' ')
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi, (_m, enc: string, text: string) =>
      enc.toLowerCase() === 'b'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
    )
    .trim();
}

async function mailbox(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = new SMTPServer({
    // A local mailbox: plain SMTP, and AUTH accepted without TLS (the password comes from a Secret the host propagated;
    // the Config opts in with allowInsecureAuth, as credentials otherwise need TLS).
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth: (auth, _session, done) => done(auth.password === 'demo' ? null : new Error('bad password'), { user: auth.username }),
    onData(stream, session, done) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (raw += chunk));
      stream.on('end', () => {
        const subject = header(raw, 'Subject');
        say(`  📧 email to ${session.envelope.rcptTo.map((r) => r.address).join(', ')}: ${subject}`);
        arrived.add(`email:${arrived.size}:${subject}`);
        done();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

type Stop = () => Promise<void>;

async function applyObjects(host: KubeConfig, smtpPort: number, sinkOrigin: string): Promise<void> {
  const objects = [
    { apiVersion: API, kind: 'Settings', metadata: { name: 'default' }, spec: { batchMaxWait: '2s', stampLabels: ['region'], groupLabels: ['alertname', 'cluster'] } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'smtp', namespace: 'herald-system' }, stringData: { password: 'demo' } },
    { apiVersion: API, kind: 'Config', metadata: { name: 'default-email', labels: { type: 'default' } }, spec: { email: { from: 'herald@demo.local', smartHost: { host: '127.0.0.1', port: smtpPort }, authUsername: 'herald', authPassword: { valueFrom: { secretKeyRef: { name: 'smtp', key: 'password' } } }, allowInsecureAuth: true } } },
    { apiVersion: API, kind: 'Receiver', metadata: { name: 'oncall', labels: { type: 'global' } }, spec: { email: { to: ['oncall@demo.local'] } } },
    { apiVersion: API, kind: 'Receiver', metadata: { name: 'sink', labels: { type: 'global' } }, spec: { webhook: { url: `${sinkOrigin}/alerts` } } },
    { apiVersion: API, kind: 'PropagationPolicy', metadata: { name: 'sink-per-region' }, spec: { resourceSelectors: [{ kind: 'Receiver', name: 'sink' }], overrides: [{ clusterNames: ['member-b'], patches: [{ op: 'replace', path: '/spec/webhook/url', value: `${sinkOrigin}/alerts/us-east` }] }] } },
  ];
  for (const o of objects) await apply(host, o);
}

async function postSampleAlerts(agents: AgentProcess[]): Promise<void> {
  for (const [i, agent] of agents.entries()) {
    const alerts = [
      { status: 'firing', labels: { alertname: 'KubePodCrashLooping', namespace: 'team-a', pod: `api-${i}`, severity: 'warning' }, annotations: { summary: 'Pod is crash looping.' } },
      { status: 'firing', labels: { alertname: 'NodeNotReady', node: `node-${i}`, severity: 'critical' }, annotations: { summary: 'Node is not ready.' } },
    ];
    await fetch(`${agent.url}/api/v2/alerts`, { method: 'POST', headers: agent.headers('ingest'), body: JSON.stringify({ version: '4', status: 'firing', alerts }) });
  }
}

/** Waits for every alert at the webhook and 4 emails; returns whether they all came. */
async function awaitArrivals(): Promise<boolean> {
  const expected = ['member-a', 'member-b'].flatMap((c) => ['KubePodCrashLooping', 'NodeNotReady'].map((a) => `webhook:${c}:${a}`));
  const emails = (): number => [...arrived].filter((a) => a.startsWith('email:')).length;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !(expected.every((e) => arrived.has(e)) && emails() >= 4)) await new Promise((r) => setTimeout(r, 250));
  const ok = expected.every((e) => arrived.has(e)) && emails() >= 4;
  const missing = [...expected.filter((e) => !arrived.has(e)), ...(emails() < 4 ? [`${4 - emails()} of 4 emails`] : [])];
  say(ok ? `Done: all ${expected.length} alerts arrived at the webhook and ${emails()} emails at the mailbox, from both clusters.` : `Missing: ${missing.join(', ')}`);
  return ok;
}

async function run(stops: Stop[]): Promise<{ ok: boolean; hostKubeconfig: string }> {
  say('Starting a host and two member clusters (kube-apiserver + etcd)…');
  const set = await startClusters({ names: ['host', 'member-a', 'member-b'], log: (l) => say(`  ${l}`) });
  stops.push(() => set.stop());
  const mail = await mailbox();
  stops.push(mail.close);
  const sink = await startHttpServer({ handler: onWebhook });
  stops.push(() => sink.close());
  const host = set.kubeConfig('host');
  say('Joining member-a and member-b to the host (what `heraldctl join` does)…');
  for (const [name, region] of [['member-a', 'eu-west'], ['member-b', 'us-east']] as const) {
    await join({
      name,
      host,
      member: set.kubeConfig(name),
      labels: { region },
      image: 'herald-agent:demo',
      secretNamespaces: [],
      storage: { kind: 'emptyDir' },
      credentials: 'token',
      tokenTtlHours: 1,
      alertmanagers: [],
      alertmanagerTokenNamespaces: [],
      say: (line) => say(`  ${line}`),
    });
  }
  say('Applying Herald objects on the host: Settings, a default email Config, a global email and a global webhook receiver, an override for member-b…');
  await applyObjects(host, mail.port, sink.origin);
  const controller = new PropagationController({ kc: host, log: (e) => say(`  controller: ${JSON.stringify(e)}`), resyncMs: 5000 });
  await controller.start();
  stops.push(() => controller.stop());
  // No kubelet runs here, so the Deployment join installed has no pod: the agent runs as a local
  // process instead, with its ServiceAccount's token and RBAC, exactly as the pod would.
  say('Starting an agent for each member, as its herald-agent ServiceAccount (it reads the propagated objects from its own cluster)…');
  const agents: AgentProcess[] = [];
  for (const name of ['member-a', 'member-b']) {
    const agent = await startAgent({ kubeconfig: await serviceAccountKubeconfig(set, name, 'herald-agent'), args: ['--heartbeat-seconds', '2'] });
    agents.push(agent);
    stops.push(() => agent.stop());
    say(`  ${name}: agent at ${agent.url} (point Alertmanager's webhook at ${agent.url}/api/v2/alerts, with the bearer token in ${agent.dataDir}/ingest-token)`);
  }
  // The agents take a moment to read what the controller propagated.
  await new Promise((r) => setTimeout(r, 3000));
  say('Posting sample Alertmanager alerts into each member’s agent…');
  await postSampleAlerts(agents);
  say('Notifications arriving (labelled with the cluster that raised them):');
  const ok = await awaitArrivals();
  await showMembers(host);
  return { ok, hostKubeconfig: set.get('host').kubeconfigPath };
}

/** What `kubectl get memberclusters` would tell: each member's health as the host sees it. */
async function showMembers(host: KubeConfig): Promise<void> {
  const read = async (): Promise<ClusterView[]> =>
    (JSON.parse(await rawRequest(host, 'GET', `/apis/${API}/memberclusters`)) as { items: MemberCluster[] }).items.map(clusterView);
  const deadline = Date.now() + 20_000;
  let views = await read();
  while (Date.now() < deadline && !views.every((v) => v.agentReady === 'True' && (v.delivery?.delivered ?? 0) > 0)) {
    await new Promise((r) => setTimeout(r, 500));
    views = await read();
  }
  say('Members as the host sees them:');
  for (const v of views) {
    const d = v.delivery;
    say(`  ${v.name}: Ready=${v.ready} AgentReady=${v.agentReady} Synced=${v.synced} ${v.kubernetesVersion ?? ''} delivered=${d?.delivered ?? 0} failed=${d?.failed ?? 0} pending=${d?.pending ?? 0}`);
  }
}

function onWebhook(req: { url: string; body: string }): { status: number; body: string } {
  const body = JSON.parse(req.body) as { alerts: { status: string; labels: Record<string, string> }[] };
  for (const a of body.alerts) {
    say(`  🪝 webhook ${req.url}: [${a.labels['cluster']}] ${a.labels['alertname']} (${a.status}) namespace=${a.labels['namespace'] ?? '-'}`);
    arrived.add(`webhook:${a.labels['cluster']}:${a.labels['alertname']}`);
  }
  return { status: 200, body: 'ok' };
}

async function main(): Promise<void> {
  const stops: Stop[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(0)));
  try {
    const { ok, hostKubeconfig } = await run(stops);
    if (once) {
      await stopAll();
      process.exit(ok ? 0 : 1);
    }
    say(`Running; Ctrl-C stops everything. Look around: KUBECONFIG=${hostKubeconfig} kubectl get herald`);
  } catch (err) {
    console.error(`demo failed: ${(err as Error).message}`);
    await stopAll();
    process.exit(1);
  }
}

await main();
