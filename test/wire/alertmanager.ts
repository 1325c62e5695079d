/**
 * Runs a real Prometheus Alertmanager (built by hack/build-alertmanager.sh into .cache/ambin) in
 * front of an agent: a generated alertmanager.yml whose one webhook receiver posts to the agent's
 * `POST /api/v2/alerts` with its ingest token, its own storage folder, a free loopback port, and
 * either no cluster or an HA pair gossiping on loopback. Alerts go in through Alertmanager's own API.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { REPO_ROOT } from '../harness/binaries.js';
import { freePort, waitFor } from '../harness/net.js';
import { supervise } from '../harness/processes.js';
import type { AgentProcess } from './agent-process.js';

interface AlertmanagerBinaries {
  alertmanager: string;
  amtool: string;
}

/** The binaries in HERALD_AMBIN (default .cache/ambin); a clear error when they were not built. */
function findAlertmanager(): AlertmanagerBinaries {
  const dir = process.env['HERALD_AMBIN'] ?? join(REPO_ROOT, '.cache', 'ambin');
  const bins = { alertmanager: join(dir, 'alertmanager'), amtool: join(dir, 'amtool') };
  for (const path of Object.values(bins)) {
    if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run am:build\` (builds Alertmanager and amtool with Go)`);
  }
  return bins;
}

/** Where the webhook receiver posts, and with which credentials. */
export interface WebhookTarget {
  url: string;
  /** A file holding the bearer token (`http_config.authorization.credentials_file`). */
  credentialsFile?: string;
  /** PEM CA file to trust when `url` is https. */
  caFile?: string;
  /** `max_alerts`: 0 (the default) sends every alert of a group. */
  maxAlerts?: number;
  /** `send_resolved`; default true. */
  sendResolved?: boolean;
}

/** The agent's webhook endpoint with its ingest token file (as startAgent wrote it). */
export function agentWebhook(agent: AgentProcess): WebhookTarget {
  return { url: `${agent.url}/api/v2/alerts`, credentialsFile: join(agent.dataDir, 'ingest-token') };
}

/** The top-level route; durations in Alertmanager's syntax (`1s`, `5m`). */
interface RouteOptions {
  /** Default `['alertname']`; `['...']` groups by every label. */
  groupBy?: string[];
  /** Default 1s each for group_wait and group_interval (tests are quick), 1h for repeat_interval. */
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
}

interface InhibitRule {
  source_matchers: string[];
  target_matchers: string[];
  equal?: string[];
}

export interface AlertmanagerOptions {
  webhook: WebhookTarget;
  route?: RouteOptions;
  inhibitRules?: InhibitRule[];
  /** `--log.level`; default info. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  args?: string[];
}

/** Alertmanager's alert input (POST /api/v2/alerts); times are RFC 3339. */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

export interface AlertmanagerProcess {
  /** `http://127.0.0.1:<port>`, also its --web.external-url. */
  url: string;
  /** `127.0.0.1:<port>` of its gossip listener, when clustered. */
  clusterAddress: string | undefined;
  configFile: string;
  /** POST /api/v2/alerts on Alertmanager; throws with its answer unless 200. */
  postAlerts(alerts: PostableAlert[]): Promise<void>;
  /** The sum of a metric's samples whose labels include `labels` (0 when there are none). */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  /** GET /api/v2/status: the cluster's state and peer count. */
  cluster(): Promise<{ status: string; peers: number }>;
  /** Everything it logged so far (kept after stop). */
  output(): string;
  /** SIGTERM (SIGKILL after 5 s), then removes its folder. */
  stop(): Promise<void>;
}

/** `http_config`: the bearer token file and the CA to trust, when given. */
function httpConfigOf(webhook: WebhookTarget): Record<string, unknown> | undefined {
  const config = {
    ...(webhook.credentialsFile ? { authorization: { type: 'Bearer', credentials_file: webhook.credentialsFile } } : {}),
    ...(webhook.caFile ? { tls_config: { ca_file: webhook.caFile } } : {}),
  };
  return Object.keys(config).length ? config : undefined;
}

function routeOf(route: RouteOptions): Record<string, unknown> {
  return {
    receiver: 'herald',
    group_by: route.groupBy ?? ['alertname'],
    group_wait: route.groupWait ?? '1s',
    group_interval: route.groupInterval ?? '1s',
    repeat_interval: route.repeatInterval ?? '1h',
  };
}

/** The alertmanager.yml text (pure): one receiver, `herald`, the webhook to the target. */
function alertmanagerConfig(opts: Pick<AlertmanagerOptions, 'webhook' | 'route' | 'inhibitRules'>): string {
  const { webhook } = opts;
  const httpConfig = httpConfigOf(webhook);
  const receiver = { url: webhook.url, send_resolved: webhook.sendResolved ?? true, max_alerts: webhook.maxAlerts ?? 0, ...(httpConfig ? { http_config: httpConfig } : {}) };
  return stringify({
    route: routeOf(opts.route ?? {}),
    receivers: [{ name: 'herald', webhook_configs: [receiver] }],
    ...(opts.inhibitRules?.length ? { inhibit_rules: opts.inhibitRules } : {}),
  });
}

/** Runs amtool; resolves with its exit code and output (never rejects on a non-zero exit). */
export function amtool(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(findAlertmanager().amtool, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) => {
    child.once('error', (err) => resolve({ code: null, output: `${output}${err.message}` }));
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** The sum of `name`'s samples in Prometheus text whose labels include every one of `labels` (pure). */
export function sumOfSamples(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = new Map([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) sum += Number(match[3]);
  }
  return sum;
}

const lastLines = (text: string, n = 15): string => text.trimEnd().split('\n').slice(-n).join('\n');

interface Ports {
  web: number;
  /** The gossip port, when clustered; `peers` are the others' gossip ports. */
  cluster?: { port: number; peers: number[] };
}

/** Gossip flags: small intervals so a pair settles in about 2 s; a short peer timeout so the second member waits 2 s, not 15. */
function clusterArgs(ports: Ports): string[] {
  if (!ports.cluster) return ['--cluster.listen-address='];
  const own = `127.0.0.1:${ports.cluster.port}`;
  return [
    `--cluster.listen-address=${own}`,
    `--cluster.advertise-address=${own}`,
    ...ports.cluster.peers.map((p) => `--cluster.peer=127.0.0.1:${p}`),
    '--cluster.peer-timeout=2s',
    '--cluster.gossip-interval=50ms',
    '--cluster.pushpull-interval=1s',
    '--cluster.probe-interval=200ms',
    '--cluster.settle-timeout=10s',
  ];
}

async function launch(opts: AlertmanagerOptions, ports: Ports): Promise<AlertmanagerProcess> {
  const bins = findAlertmanager();
  const dir = mkdtempSync(join(tmpdir(), 'herald-am-'));
  const configFile = join(dir, 'alertmanager.yml');
  writeFileSync(configFile, alertmanagerConfig(opts));
  const url = `http://127.0.0.1:${ports.web}`;
  const proc = supervise(dir, 'alertmanager', bins.alertmanager, [
    `--config.file=${configFile}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${ports.web}`,
    `--web.external-url=${url}`,
    `--log.level=${opts.logLevel ?? 'info'}`,
    ...clusterArgs(ports),
    ...(opts.args ?? []),
  ]);
  let kept: string | undefined;
  const output = (): string => kept ?? (existsSync(proc.logFile) ? readFileSync(proc.logFile, 'utf8') : '');
  let exitCode: number | null | undefined;
  void proc.exited.then((code) => (exitCode = code));
  const stop = async (): Promise<void> => {
    await proc.stop();
    kept = output();
    rmSync(dir, { recursive: true, force: true });
  };
  const am: AlertmanagerProcess = {
    url,
    clusterAddress: ports.cluster ? `127.0.0.1:${ports.cluster.port}` : undefined,
    configFile,
    async postAlerts(alerts) {
      const res = await fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
      if (res.status !== 200) throw new Error(`alertmanager refused the alerts: HTTP ${res.status} ${await res.text()}`);
    },
    async metric(name, labels) {
      return sumOfSamples(await (await fetch(`${url}/metrics`)).text(), name, labels);
    },
    async cluster() {
      const status = (await (await fetch(`${url}/api/v2/status`)).json()) as { cluster: { status: string; peers?: unknown[] | null } };
      return { status: status.cluster.status, peers: status.cluster.peers?.length ?? 0 };
    },
    output,
    stop,
  };
  const deadline = Date.now() + 30_000;
  while (!(await fetch(`${url}/-/ready`).then((r) => r.ok, () => false))) {
    if (exitCode !== undefined || Date.now() > deadline) {
      const why = exitCode !== undefined ? `exited (${exitCode})` : 'not ready after 30 s';
      await stop();
      throw new Error(`alertmanager on ${url} ${why}:\n${lastLines(output())}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return am;
}

/** Starts one unclustered Alertmanager. */
export async function startAlertmanager(opts: AlertmanagerOptions): Promise<AlertmanagerProcess> {
  return launch(opts, { web: await freePort() });
}

/**
 * Starts `size` (default 2) Alertmanagers gossiping with each other on loopback, all with the same
 * configuration, and waits until every one sees the others and has settled (notifications wait for that).
 */
export async function startAlertmanagerCluster(opts: AlertmanagerOptions, size = 2): Promise<AlertmanagerProcess[]> {
  const gossip: number[] = [];
  const web: number[] = [];
  for (let i = 0; i < size; i++) {
    gossip.push(await freePort());
    web.push(await freePort());
  }
  const started = await Promise.allSettled(
    gossip.map((port, i) => launch(opts, { web: web[i] ?? 0, cluster: { port, peers: gossip.filter((p) => p !== port) } })),
  );
  const members = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(members.map((m) => m.stop()));
    throw failed.reason;
  }
  try {
    await waitFor(async () => (await Promise.all(members.map((m) => m.cluster()))).every((c) => c.status === 'ready' && c.peers === size), {
      timeoutMs: 30_000,
      describe: () => `alertmanager cluster did not settle:\n${members.map((m) => `${m.url}:\n${lastLines(m.output())}`).join('\n')}`,
    });
  } catch (err) {
    await Promise.all(members.map((m) => m.stop()));
    throw err;
  }
  return members;
}
