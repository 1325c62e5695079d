#!/usr/bin/env node
/**
 * herald-agent: the member agent. In a cluster it reads Herald objects and their Secrets through
 * informers (the ServiceAccount, KUBECONFIG, or --kubeconfig). Standalone, `--config-dir DIR`
 * reads the same objects from a folder and reloads them on change.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { homedir, hostname } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import type { KubeConfig } from '@kubernetes/client-node';
import { loadKubeconfigInto, oneLine, oneOf, parseFlags, UsageError, usageExit, type FlagTable } from '@herald/shared/cli';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '@herald/shared/log';
import { Agent } from './agent.js';
import { DEFAULT_SERVER_LIMITS } from './api/server-limits.js';
import { agentAuthorizer } from './auth-setup.js';
import { loadDir, watchDir } from './config/dir-source.js';
import { parseEventScope } from './events/scope.js';
import { DEFAULT_JSON_BOUNDS } from '@herald/shared/json-bounds';
import { storeOpenProblem } from './store/open-error.js';
import { HERALD_VERSION } from './version.js';

// undici parses channel answers with llhttp compiled to WebAssembly. V8's optimizing tier for it
// needs ~20 MB of compiler memory for a moment after the first sends — the agent's peak RSS under
// a burst (heaptrack: TurboFan wasm register allocation). The baseline tier parses the short answers
// channels give well enough. V8 flags are per process, so this covers the pipeline thread too.
setFlagsFromString('--liftoff-only');

const USAGE = `usage: herald-agent [--config-dir DIR | --kubeconfig FILE] [--port 19093] [--host 0.0.0.0] [--data-dir ./herald-data]
                    [--ingest-token-file FILE] [--admin-token-file FILE] [--kube-auth true|false] [--auth-cache-seconds 60]
                    [--allow-anonymous-ingest] [--protect-metrics] [--namespace herald-system] [--durability normal|full] [--log-level info]
                    [--log-format json|text] [--version]
                    [--pipeline-heap-mb 64] [--body-limit 8388608] [--max-json-values 1000000] [--max-connections 10000]
                    [--heartbeat-seconds 10] [--events all|none|NS,NS…] [--tls-cert-file FILE --tls-key-file FILE]
  --config-dir   standalone: a folder of Herald YAML objects (Config, Receiver, Router, Silence, InhibitRule, Template, Rule, Settings) and Secrets
  --kubeconfig   in a cluster: the kubeconfig to use (default: KUBECONFIG, else the pod's ServiceAccount)
  --data-dir     where the durable queue and delivery history are kept
  --ingest-token-file  bearer tokens (one a line) accepted on /api/v2/alerts and /api/v2/audit
  --admin-token-file   bearer tokens (one a line) accepted on the admin routes (verify, notifications, history, dead letters) and /metrics
  --kube-auth    in a cluster (default true): also accept Kubernetes tokens, checked with TokenReview, allowed by a
                 SubjectAccessReview on herald.dev agents/ingest (create), agents/admin (get, create, delete) or agents/metrics (get)
  --auth-cache-seconds  how long a review's answer is kept (default 60; a refusal at most 10): a revoked grant shows within it
  --allow-anonymous-ingest  accept alerts and audit events without a token (Notification Manager's behaviour; logged as a warning)
  --protect-metrics  /metrics needs the admin token or agents/metrics (otherwise it is open, like /healthz and /readyz)
  --namespace    the agent's namespace, which SubjectAccessReviews name (default: POD_NAMESPACE, else herald-system)
  --pipeline-heap-mb  heap limit of the delivery pipeline's thread (the HTTP thread takes Node's own flags)
  --body-limit   largest request body in bytes; larger ones get 413
  --max-json-values  most values (objects, arrays, their members and elements) a JSON body may hold; JSON nests at most 32 deep, an object holds at most 100,000 members
  --max-connections  most client connections at once
  --heartbeat-seconds  in a cluster: how often the agent renews its Lease (herald-system/herald-agent) and reports delivery health
  --tls-cert-file, --tls-key-file  serve HTTPS (PEM files); needed for the audit webhook, whose API server sends its token only over TLS
  --events       in a cluster: watch Kubernetes Events in all namespaces (default), none, or the namespaces listed
  --log-level    ${LOG_LEVELS.join(', ')} (default info); health probes and scrapes log at debug
  --log-format   json (default: one JSON object a line) or text (for people: time LEVEL component message key=value)`;

interface CliOptions {
  configDir: string | undefined;
  kubeconfig: string | undefined;
  port: number;
  host: string;
  dataDir: string;
  ingestTokenFile: string | undefined;
  adminTokenFile: string | undefined;
  kubeAuth: boolean;
  authCacheSeconds: number;
  anonymousIngest: boolean;
  protectMetrics: boolean;
  namespace: string;
  maxJsonValues: number;
  maxConnections: number;
  durability: 'normal' | 'full';
  logLevel: LogLevel;
  logFormat: LogFormat;
  pipelineHeapMb: number;
  bodyLimit: number;
  heartbeatSeconds: number;
  events: string[] | 'none' | undefined;
  tls: { cert: string; key: string } | undefined;
}

/** A usage error: one line and where the help is, exit 2. */
function fail(message: string): never {
  return usageExit('herald-agent', message);
}

/** A whole number option within bounds, or exit naming it. */
function intOption(name: string, value: string | undefined, [min, max]: [number, number]): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} ${value} must be a whole number from ${min} to ${max}`);
  return n;
}

function tlsFiles(cert: string | undefined, key: string | undefined): CliOptions['tls'] {
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) fail('--tls-cert-file and --tls-key-file go together');
  try {
    return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
  } catch (err) {
    return fail(`cannot read the TLS files: ${(err as Error).message}`);
  }
}

function eventScope(value: string): CliOptions['events'] {
  try {
    return parseEventScope(value);
  } catch (err) {
    return fail((err as Error).message);
  }
}

/** Kubernetes authentication is on in a cluster unless turned off, and impossible standalone. */
function kubeAuthOption(value: string | undefined, standalone: boolean): boolean {
  const on = value ?? (standalone ? 'false' : 'true');
  if (on !== 'true' && on !== 'false') fail('--kube-auth is true or false');
  if (on === 'true' && standalone) fail('--kube-auth needs a cluster (--kubeconfig, KUBECONFIG or a pod ServiceAccount), not --config-dir');
  return on === 'true';
}

const FLAGS = {
      'config-dir': { type: 'string' },
      kubeconfig: { type: 'string' },
      port: { type: 'string', default: '19093' },
      host: { type: 'string', default: '0.0.0.0' },
      'data-dir': { type: 'string', default: './herald-data' },
      'ingest-token-file': { type: 'string' },
      'admin-token-file': { type: 'string' },
      'kube-auth': { type: 'string' },
      'allow-anonymous-ingest': { type: 'boolean', default: false },
      'protect-metrics': { type: 'boolean', default: false },
      namespace: { type: 'string' },
      'max-json-values': { type: 'string', default: String(DEFAULT_JSON_BOUNDS.maxValues) },
      'max-connections': { type: 'string', default: String(DEFAULT_SERVER_LIMITS.maxConnections) },
      'auth-cache-seconds': { type: 'string', default: '60' },
      durability: { type: 'string', default: 'normal' },
      'log-level': { type: 'string', default: 'info' },
      'log-format': { type: 'string', default: 'json' },
      'pipeline-heap-mb': { type: 'string', default: '64' },
      'body-limit': { type: 'string', default: String(8 * 1024 * 1024) },
      'heartbeat-seconds': { type: 'string', default: '10' },
      events: { type: 'string', default: 'all' },
      'tls-cert-file': { type: 'string' },
      'tls-key-file': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
} satisfies FlagTable;

/** The folder --config-dir names, if it is one (else exit saying so). */
function configDirOption(dir: string | undefined): string | undefined {
  if (dir !== undefined && !(existsSync(dir) && statSync(dir).isDirectory())) fail(`--config-dir ${dir}: no such folder`);
  return dir;
}

function options(): CliOptions {
  // parseFlags and oneOf throw UsageErrors: main's catch prints them as fail() would.
  const { values } = parseFlags(process.argv.slice(2), FLAGS);
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (values.version) {
    console.log(`herald-agent ${HERALD_VERSION}`);
    process.exit(0);
  }
  if (values['config-dir'] && values.kubeconfig) fail('--config-dir and --kubeconfig exclude each other');
  const durability = values.durability;
  if (durability !== 'normal' && durability !== 'full') fail('--durability is normal or full');
  return {
    configDir: configDirOption(values['config-dir']),
    kubeconfig: values.kubeconfig,
    port: intOption('port', values.port, [0, 65535]),
    host: values.host,
    dataDir: values['data-dir'],
    ingestTokenFile: values['ingest-token-file'],
    adminTokenFile: values['admin-token-file'],
    kubeAuth: kubeAuthOption(values['kube-auth'], values['config-dir'] !== undefined),
    authCacheSeconds: intOption('auth-cache-seconds', values['auth-cache-seconds'], [0, 3600]),
    anonymousIngest: values['allow-anonymous-ingest'],
    protectMetrics: values['protect-metrics'],
    namespace: values.namespace ?? process.env['POD_NAMESPACE'] ?? 'herald-system',
    maxJsonValues: intOption('max-json-values', values['max-json-values'], [1000, 100_000_000]),
    maxConnections: intOption('max-connections', values['max-connections'], [16, 1_000_000]),
    durability,
    logLevel: oneOf('log-level', values['log-level'], LOG_LEVELS),
    logFormat: oneOf('log-format', values['log-format'], LOG_FORMATS),
    pipelineHeapMb: intOption('pipeline-heap-mb', values['pipeline-heap-mb'], [16, 65536]),
    bodyLimit: intOption('body-limit', values['body-limit'], [1024, 1 << 30]),
    heartbeatSeconds: intOption('heartbeat-seconds', values['heartbeat-seconds'], [1, 300]),
    events: eventScope(values.events),
    tls: tlsFiles(values['tls-cert-file'], values['tls-key-file']),
  };
}

/** Standalone: load the folder now and again on every change. */
async function fromFolder(agent: Agent, dir: string): Promise<() => Promise<void>> {
  const reload = async (): Promise<void> => {
    try {
      const { config, problems } = await loadDir(dir);
      const snap = agent.setConfig(config, problems);
      const count = problems.length + snap.problems.length;
      agent.app.log.info(`configuration loaded from ${dir}: ${snap.receivers.length} receivers, ${snap.configs.length} configs, ${count} problems`);
    } catch (err) {
      agent.app.log.error(`cannot read ${dir}: ${(err as Error).message}; keeping the previous configuration`);
    }
  };
  await reload();
  const watcher = watchDir(dir, () => void reload());
  return () => Promise.resolve(watcher.close());
}

/** In a cluster: informers on the Herald objects and their Secrets. */
async function fromCluster(agent: Agent, o: CliOptions, kc: KubeConfig): Promise<() => Promise<void>> {
  const { ClusterSource } = await import('./config/cluster-source.js');
  const source = new ClusterSource({
    kc,
    log: (entry) => agent.app.log.warn(entry),
    onConfig: (config, problems) => {
      const snap = agent.setConfig(config, problems);
      const all = [...problems, ...snap.problems];
      agent.app.log.info(`configuration from the cluster: ${snap.receivers.length} receivers, ${snap.configs.length} configs, ${all.length} problems`);
      return all;
    },
  });
  await source.start();
  const { Reporter } = await import('./cluster/reporter.js');
  const reporter = new Reporter({
    kc,
    holder: process.env['POD_NAME'] ?? hostname(),
    renewMs: o.heartbeatSeconds * 1000,
    // The Lease outlives four missed renewals, as Karmada's 40 s grace does for a 10 s period.
    durationSec: o.heartbeatSeconds * 4,
    statusEveryMs: o.heartbeatSeconds * 3000,
    scheme: o.tls ? 'https' : 'http',
    log: (entry) => agent.app.log.warn(entry),
    state: () => ({ ready: agent.ready, health: agent.outbox.health(), receivers: agent.snapshot.receivers.map((r) => r.name) }),
  });
  reporter.start();
  return async () => {
    await reporter.stop();
    await source.stop();
  };
}

/** Whether anything tells the agent where a cluster is: KUBECONFIG, ~/.kube/config, or a pod's ServiceAccount. */
const anyKubeconfig = (): boolean =>
  Boolean(process.env['KUBECONFIG']) || existsSync(join(homedir(), '.kube', 'config')) || Boolean(process.env['KUBERNETES_SERVICE_HOST']);

async function clusterConfig(path: string | undefined): Promise<KubeConfig> {
  if (!path && !anyKubeconfig()) {
    console.error('herald-agent: no configuration: pass --config-dir DIR (standalone) or --kubeconfig FILE (or set KUBECONFIG; in a pod its ServiceAccount is used)');
    process.exit(2);
  }
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  loadKubeconfigInto(kc, path || undefined);
  return kc;
}

/** The agent, or exit with one line saying what is wrong (a token file, the store). */
function makeAgent(o: CliOptions, kc: KubeConfig | undefined): { agent: Agent; warnings: string[] } {
  let made: ReturnType<typeof agentAuthorizer>;
  try {
    made = agentAuthorizer({
      ingestTokenFile: o.ingestTokenFile,
      adminTokenFile: o.adminTokenFile,
      kube: o.kubeAuth ? kc : undefined,
      anonymousIngest: o.anonymousIngest,
      cacheSeconds: o.authCacheSeconds,
      log: (message) => console.error(`herald-agent: ${message}`),
    });
  } catch (err) {
    return fail((err as Error).message);
  }
  try {
    const agent = new Agent({
      ...o,
      auth: made.auth,
      jsonBounds: { ...DEFAULT_JSON_BOUNDS, maxValues: o.maxJsonValues },
      limits: { maxConnections: o.maxConnections },
    });
    return { agent, warnings: made.warnings };
  } catch (err) {
    console.error(`herald-agent: ${storeOpenProblem(err, join(o.dataDir, 'herald.db'))}`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const o = options();
  type Source = { kind: 'folder'; dir: string } | { kind: 'cluster'; kc: KubeConfig };
  const source: Source = o.configDir !== undefined ? { kind: 'folder', dir: o.configDir } : { kind: 'cluster', kc: await clusterConfig(o.kubeconfig) };
  const { agent, warnings } = makeAgent(o, source.kind === 'cluster' ? source.kc : undefined);
  for (const w of warnings) agent.app.log.warn(w);
  const close = source.kind === 'cluster' ? await fromCluster(agent, o, source.kc) : await fromFolder(agent, source.dir);
  const address = await agent.start();
  agent.app.log.info(`herald-agent listening on ${address}; cluster ${agent.snapshot.settings.cluster.name}`);
  const events = o.events;
  const stopEvents = o.configDir || events === 'none' ? undefined : await (await import('./events/start.js')).watchEvents(agent, { kubeconfig: o.kubeconfig, namespaces: events });
  const stop = async (): Promise<void> => {
    await stopEvents?.();
    await close();
    await agent.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

await main().catch((err: unknown) => {
  // A usage error, or a failure to start: one line, never a stack through the bundle.
  if (err instanceof UsageError) fail(err.message);
  console.error(`herald-agent: ${oneLine(err)}`);
  process.exit(1);
});
