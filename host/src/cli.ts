#!/usr/bin/env node
/**
 * herald-host: the host controller. Serves health, metrics and the admin API on every replica;
 * campaigns for the leader Lease and propagates only while it leads. A replica that loses the
 * lease exits (its Deployment restarts it as a standby), as client-go's controllers do, so no
 * half-stopped reconcile can overlap the new leader's.
 */
import { hostname } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import { loadKubeconfigInto, oneLine, oneOf, parseFlags, UsageError, usageExit, type FlagTable } from '@herald/shared/cli';
import { kubeReviewer, StaticTokens, tokenFiles, type Authorizer } from '@herald/shared/auth';
import { createLogs, entryLog, LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '@herald/shared/log';
import { collectDefaultMetrics } from 'prom-client';
import { buildAdmin } from './admin/server.js';
import { LeaderElector } from './leader/elector.js';
import { PropagationController } from './propagation/controller.js';
import { badSecretNamespaces } from './propagation/secret-policy.js';
import { HERALD_VERSION } from '@herald/shared';

const USAGE = `usage: herald-host [--kubeconfig FILE] [--id NAME] [--leader-elect true|false] [--lease-namespace herald-system]
                   [--lease-seconds 15] [--port 19094] [--host 0.0.0.0] [--resync-seconds 30] [--log-level info] [--log-format json|text]
                   [--secret-namespace herald-system …] [--admin-token-file FILE] [--kube-auth true|false]
                   [--auth-cache-seconds 60] [--protect-metrics] [--version]
  --kubeconfig      the host cluster (default: KUBECONFIG, else the pod's ServiceAccount)
  --id              this replica's identity in the leader Lease (default: POD_NAME or the hostname)
  --leader-elect    campaign for the Lease herald-system/herald-host before propagating (default true)
  --lease-seconds   how long the leader's Lease lasts unrenewed: a standby takes over that long after a leader dies
  --port            health (/healthz, /readyz), /metrics and the admin API (/api/v1/clusters, /api/v1/propagation)
  --resync-seconds  how often each member is re-synced (drift is repaired then at the latest)
  --secret-namespace  a host namespace the Secrets Herald objects reference may come from (repeatable; none given:
                    herald-system); a reference elsewhere is refused; herald-clusters, the kubeconfigs' own, is never one
  --admin-token-file  bearer tokens (one a line) accepted on the admin API and /metrics
  --kube-auth       also accept Kubernetes tokens (default true): TokenReview, then a SubjectAccessReview that the
                    caller may list what the route shows (memberclusters; every propagated kind)
  --auth-cache-seconds  how long a review's answer is kept (default 60; a refusal at most 10)
  --protect-metrics  /metrics needs the admin token or get on hosts/metrics (herald.dev) in --lease-namespace
  --log-level       ${LOG_LEVELS.join(', ')} (default info); health probes and scrapes log at debug
  --log-format      json (default: one JSON object a line) or text (for people: time LEVEL component message key=value)`;

/** A usage error: one line and where the help is, exit 2. */
function fail(message: string): never {
  return usageExit('herald-host', message);
}

/** A whole number option within bounds, or exit naming it. */
function whole(name: string, value: string | undefined, [min, max]: [number, number]): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} ${value} must be a whole number from ${min} to ${max}`);
  return n;
}

interface AuthOptions {
  adminTokenFile: string | undefined;
  kubeAuth: boolean;
  authCacheSeconds: number;
  protectMetrics: boolean;
}

function authOptions(values: { 'admin-token-file'?: string | undefined; 'kube-auth'?: string | undefined; 'auth-cache-seconds'?: string | undefined; 'protect-metrics'?: boolean | undefined }): AuthOptions {
  const kubeAuth = values['kube-auth'] ?? 'true';
  if (kubeAuth !== 'true' && kubeAuth !== 'false') fail('--kube-auth is true or false');
  return {
    adminTokenFile: values['admin-token-file'],
    kubeAuth: kubeAuth === 'true',
    authCacheSeconds: whole('auth-cache-seconds', values['auth-cache-seconds'] ?? '60', [0, 3600]),
    protectMetrics: values['protect-metrics'] === true,
  };
}

/** Who may call the admin API; exits naming a token file that cannot be used. */
function authorizer(o: AuthOptions, kc: KubeConfig, log: (entry: Record<string, unknown>) => void): Authorizer {
  try {
    const files = tokenFiles({ admin: o.adminTokenFile });
    const tokens = files.length > 0 ? new StaticTokens(files, { log: (msg) => log({ msg }) }) : undefined;
    if (!tokens && !o.kubeAuth) log({ msg: 'no --admin-token-file and --kube-auth false: the admin API refuses every caller' });
    return { tokens, kube: o.kubeAuth ? kubeReviewer(kc, o.authCacheSeconds) : undefined };
  } catch (err) {
    return fail((err as Error).message);
  }
}

const FLAGS = {
      kubeconfig: { type: 'string' },
      id: { type: 'string' },
      'leader-elect': { type: 'string', default: 'true' },
      'lease-namespace': { type: 'string', default: 'herald-system' },
      port: { type: 'string', default: '19094' },
      host: { type: 'string', default: '0.0.0.0' },
      'resync-seconds': { type: 'string', default: '30' },
      'lease-seconds': { type: 'string', default: '15' },
      'log-level': { type: 'string', default: 'info' },
      'log-format': { type: 'string', default: 'json' },
      'secret-namespace': { type: 'string', multiple: true, default: ['herald-system'] },
      'admin-token-file': { type: 'string' },
      'kube-auth': { type: 'string' },
      'auth-cache-seconds': { type: 'string' },
      'protect-metrics': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
} satisfies FlagTable;

function options(): { kubeconfig?: string; id: string; elect: boolean; leaseNamespace: string; port: number; host: string; resyncMs: number; leaseSec: number; logLevel: LogLevel; logFormat: LogFormat; secretNamespaces: string[]; auth: AuthOptions } {
  // parseFlags and oneOf throw UsageErrors: main's catch prints them as fail() would.
  const { values } = parseFlags(process.argv.slice(2), FLAGS);
  if (values.version) {
    console.log(`herald-host ${HERALD_VERSION}`);
    process.exit(0);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const logLevel = oneOf('log-level', values['log-level'], LOG_LEVELS);
  const logFormat = oneOf('log-format', values['log-format'], LOG_FORMATS);
  const elect = values['leader-elect'];
  if (elect !== 'true' && elect !== 'false') fail('--leader-elect is true or false');
  const port = whole('port', values.port, [0, 65535]);
  const resync = whole('resync-seconds', values['resync-seconds'], [1, 86_400]);
  const leaseSec = whole('lease-seconds', values['lease-seconds'], [2, 3600]);
  const secretNamespaces = values['secret-namespace'];
  const bad = badSecretNamespaces(secretNamespaces);
  if (bad) fail(bad);
  return {
    ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
    id: values.id ?? process.env['POD_NAME'] ?? hostname(),
    elect: elect === 'true',
    leaseNamespace: values['lease-namespace'],
    port,
    host: values.host,
    resyncMs: resync * 1000,
    leaseSec,
    logLevel,
    logFormat,
    secretNamespaces,
    auth: authOptions(values),
  };
}

async function main(): Promise<void> {
  const o = options();
  const kc = new KubeConfig();
  loadKubeconfigInto(kc, o.kubeconfig || undefined);
  const logs = createLogs({ level: o.logLevel, format: o.logFormat });
  const log = entryLog(logs('host'));
  const controller = new PropagationController({ kc, log: entryLog(logs('propagation')), resyncMs: o.resyncMs, secretNamespaces: o.secretNamespaces });
  const elector = new LeaderElector({ kc, namespace: o.leaseNamespace, name: 'herald-host', identity: o.id, log: entryLog(logs('leader')), durationSec: o.leaseSec, retryMs: Math.min(2000, (o.leaseSec * 1000) / 4) });
  // Node's process_* and nodejs_* under their standard names, beside Herald's own.
  collectDefaultMetrics({ register: controller.metrics.registry });
  const leader = controller.metrics.leader;
  const admin = buildAdmin({
    kc,
    auth: authorizer(o.auth, kc, log),
    namespace: o.leaseNamespace,
    protectMetrics: o.auth.protectMetrics,
    logger: logs('host'),
    isLeader: () => !o.elect || elector.isLeader,
    metrics: async () => ({ contentType: controller.metrics.registry.contentType, text: await controller.metrics.registry.metrics() }),
  });
  const address = await admin.listen({ port: o.port, host: o.host });
  log({ msg: `herald-host ${o.id} serving on ${address}` });
  if (o.elect) {
    elector.start({
      onStartedLeading: async () => {
        leader.set(1);
        await controller.start();
      },
      onStoppedLeading: () => {
        leader.set(0);
        log({ msg: 'lost leadership; exiting so a restart comes back as a standby', level: 'warn' });
        process.exit(1);
      },
    });
  } else {
    leader.set(1);
    await controller.start();
  }
  const stop = async (): Promise<void> => {
    await controller.stop();
    await elector.stop();
    await admin.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

await main().catch((err: unknown) => {
  if (err instanceof UsageError) fail(err.message);
  console.error(`herald-host: ${oneLine(err)}`);
  process.exit(1);
});
