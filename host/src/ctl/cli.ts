#!/usr/bin/env node
/** heraldctl: installs the host side (init), registers member clusters with it (join) and removes them (unjoin). */
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { HOST_IMAGE } from './host-manifests.js';
import { DEFAULT_AGENT_IMAGE } from './image.js';
import { init } from './init.js';
import { join } from './join.js';
import { unjoin } from './unjoin.js';

const USAGE = `usage:
  heraldctl init --host-kubeconfig FILE [--image IMAGE] [--replicas 2] [--secret-namespace NS …] [--admin-token-secret NAME]
  heraldctl join NAME --host-kubeconfig FILE --member-kubeconfig FILE [--label k=v …] [--image IMAGE]
                 [--secret-namespace NS …] [--storage pvc|emptyDir] [--storage-size 1Gi] [--storage-class C]
                 [--credentials token|kubeconfig] [--token-ttl-hours 8760] [--tls-secret NAME]
                 [--alertmanager NAMESPACE/SERVICEACCOUNT …] [--alertmanager-token-namespace NS …]
  heraldctl unjoin NAME --host-kubeconfig FILE [--member-kubeconfig FILE] [--force] [--remove-crds]

join installs on the member: Herald's CRDs, namespace herald-system, the herald-agent ServiceAccount with
least-privilege RBAC (Secrets only in herald-system and each --secret-namespace), its Deployment (data on a
PersistentVolumeClaim unless --storage emptyDir) and Service on port 19093, and the herald-propagator
ServiceAccount the host uses (the Herald kinds, and Secrets only in those same namespaces); on the host: a
kubeconfig Secret in herald-clusters (moved there from where an earlier join put it) and the MemberCluster,
whose spec.secretNamespaces lists where the host may write the Secrets Herald objects reference.
--credentials token (default) gives the host a TokenRequest token of herald-propagator; kubeconfig stores
the member kubeconfig as given. Re-running join is safe and renews the token. --tls-secret names a
kubernetes.io/tls Secret in herald-system the agent serves HTTPS with (the audit webhook needs TLS).
The agent's API is authenticated: join makes an ingest token once (Secret herald-system/herald-agent-ingest-token,
kept across re-runs); --alertmanager binds a ServiceAccount to the Role herald-ingest, so Alertmanager posts
with its own token; --alertmanager-token-namespace copies the ingest token into Secret herald-ingest-token
there. join prints the Alertmanager webhook_configs that work.
init installs on the host: every Herald CRD, namespaces herald-system and herald-clusters, the herald-host
ServiceAccount with least-privilege RBAC (Secrets only in herald-clusters and each --secret-namespace, default
herald-system; these must exist), and its Deployment (--replicas, leader-elected), Service (19094) and
PodDisruptionBudget: what the Helm chart charts/herald installs. Re-running it upgrades them.
unjoin removes the MemberCluster and its Secret from the host, then Herald's copies and the agent from the
member; with --force it unregisters a member that cannot be reached (or without --member-kubeconfig).`;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function fail(message: string): never {
  console.error(`heraldctl: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function load(file: string | undefined, flag: string): KubeConfig {
  if (!file) fail(`--${flag} is required`);
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(file);
  } catch (err) {
    fail(`--${flag} ${file}: ${(err as Error).message}`);
  }
  return kc;
}

/** NAMESPACE/NAME of a ServiceAccount. */
function serviceAccountOf(value: string): { namespace: string; name: string } {
  const [namespace, name, ...rest] = value.split('/');
  if (!namespace || !name || rest.length > 0 || !DNS_LABEL.test(namespace) || !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(name)) {
    fail(`--alertmanager ${value} must be NAMESPACE/SERVICEACCOUNT, e.g. monitoring/alertmanager-main`);
  }
  return { namespace, name };
}

function labelsOf(pairs: string[]): Record<string, string> {
  return Object.fromEntries(
    pairs.map((p) => {
      const m = /^([A-Za-z0-9][-A-Za-z0-9_./]{0,252})=([-A-Za-z0-9_.]{0,63})$/.exec(p);
      if (!m) fail(`--label ${p} is not key=value with a valid label key and value`);
      return [m[1] as string, m[2] as string];
    }),
  );
}

function parse(): { command: string; name: string; values: Record<string, string | string[] | boolean | undefined> } {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'host-kubeconfig': { type: 'string' },
      'member-kubeconfig': { type: 'string' },
      label: { type: 'string', multiple: true, default: [] },
      image: { type: 'string' },
      replicas: { type: 'string', default: '2' },
      'admin-token-secret': { type: 'string' },
      'secret-namespace': { type: 'string', multiple: true, default: [] },
      storage: { type: 'string', default: 'pvc' },
      'storage-size': { type: 'string', default: '1Gi' },
      'storage-class': { type: 'string' },
      credentials: { type: 'string', default: 'token' },
      'token-ttl-hours': { type: 'string', default: '8760' },
      'tls-secret': { type: 'string' },
      alertmanager: { type: 'string', multiple: true, default: [] },
      'alertmanager-token-namespace': { type: 'string', multiple: true, default: [] },
      force: { type: 'boolean', default: false },
      'remove-crds': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const [command, name, ...extra] = positionals;
  if (command !== 'join' && command !== 'unjoin' && command !== 'init') fail(command ? `unknown command ${command}` : 'a command is required');
  if (command === 'init') return name === undefined ? { command, name: '', values } : fail(`init takes no NAME: ${[name, ...extra].join(' ')}`);
  if (!name || !DNS_LABEL.test(name)) fail(`NAME ${name ?? ''} must be a DNS label (lower-case letters, digits and -, at most 63)`);
  if (extra.length > 0) fail(`unexpected arguments: ${extra.join(' ')}`);
  return { command, name, values };
}

/** --image, or the image of the component the command installs. */
const imageOf = (v: Record<string, unknown>, fallback: string): string => (typeof v['image'] === 'string' ? v['image'] : fallback);

function initCommand(v: Record<string, string | string[] | boolean | undefined>, host: KubeConfig, say: (line: string) => void): Promise<void> {
  const replicas = Number(v.replicas);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 10) fail('--replicas must be a whole number from 1 to 10');
  const secretNamespaces = v['secret-namespace'] as string[];
  const adminTokenSecret = v['admin-token-secret'] as string | undefined;
  return init({
    host,
    image: imageOf(v, HOST_IMAGE),
    replicas,
    secretNamespaces: secretNamespaces.length > 0 ? secretNamespaces : ['herald-system'],
    ...(adminTokenSecret ? { adminTokenSecret } : {}),
    say,
  });
}

async function main({ command, name, values: v }: ReturnType<typeof parse>): Promise<void> {
  const say = (line: string): void => console.log(line);
  const host = load(v['host-kubeconfig'] as string | undefined, 'host-kubeconfig');
  if (command === 'unjoin') {
    const file = v['member-kubeconfig'] as string | undefined;
    return unjoin({ name, host, ...(file ? { member: load(file, 'member-kubeconfig') } : {}), force: v.force === true, removeCrds: v['remove-crds'] === true, say });
  }
  const storage = v.storage as string;
  if (storage !== 'pvc' && storage !== 'emptyDir') fail('--storage is pvc or emptyDir');
  const credentials = v.credentials as string;
  if (credentials !== 'token' && credentials !== 'kubeconfig') fail('--credentials is token or kubeconfig');
  const ttl = Number(v['token-ttl-hours']);
  if (!Number.isInteger(ttl) || ttl < 1) fail('--token-ttl-hours must be a whole number of hours');
  const storageClass = v['storage-class'] as string | undefined;
  const tlsSecret = v['tls-secret'] as string | undefined;
  await join({
    name,
    host,
    member: load(v['member-kubeconfig'] as string | undefined, 'member-kubeconfig'),
    labels: labelsOf(v.label as string[]),
    image: imageOf(v, DEFAULT_AGENT_IMAGE),
    secretNamespaces: v['secret-namespace'] as string[],
    storage: storage === 'pvc' ? { kind: 'pvc', size: v['storage-size'] as string, ...(storageClass ? { storageClass } : {}) } : { kind: 'emptyDir' },
    credentials,
    tokenTtlHours: ttl,
    alertmanagers: (v.alertmanager as string[]).map(serviceAccountOf),
    alertmanagerTokenNamespaces: (v['alertmanager-token-namespace'] as string[]).map((ns) => (DNS_LABEL.test(ns) ? ns : fail(`--alertmanager-token-namespace ${ns} is not a namespace name`))),
    ...(tlsSecret ? { tlsSecret } : {}),
    say,
  });
}

/** init has no NAME and none of join's flags: it is dispatched before them. */
function dispatch(): Promise<void> {
  const parsed = parse();
  if (parsed.command !== 'init') return main(parsed);
  return initCommand(parsed.values, load(parsed.values['host-kubeconfig'] as string | undefined, 'host-kubeconfig'), (line) => console.log(line));
}

await dispatch().catch((err: unknown) => {
  console.error(`heraldctl: ${(err as Error).message}`);
  process.exit(1);
});
