/**
 * A set of real control planes for tests: one etcd and one kube-apiserver per cluster (prefixes
 * `/host`, `/member-a`, …), CRDs installed and Established in each. `stop()` ends every process.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ApiServer } from './apiserver.js';
import { REPO_ROOT, findBinaries } from './binaries.js';
import { installCrds } from './crds.js';
import { startEtcd, type Etcd } from './etcd.js';
import { reapStaleRuns } from './processes.js';

export const HARNESS_ROOT = join(REPO_ROOT, '.cache', 'harness');

export interface ClusterSetOptions {
  /** Cluster names; default host, member-a, member-b. */
  names?: string[];
  /** Install crds/ into every cluster; default true. */
  crds?: boolean;
  /** Extra kube-apiserver flags per cluster name. */
  extraArgs?: Record<string, string[]>;
  /** Keep the state folder after stop (logs, kubeconfigs). */
  keep?: boolean;
  log?: (line: string) => void;
}

export interface Timings {
  etcdMs: number;
  apiServersMs: number;
  crdsMs: number;
  totalMs: number;
}

export class ClusterSet {
  private stopped = false;
  readonly runDir: string;
  readonly etcd: Etcd;
  readonly clusters: ReadonlyMap<string, ApiServer>;
  readonly timings: Timings = { etcdMs: 0, apiServersMs: 0, crdsMs: 0, totalMs: 0 };
  private readonly keep: boolean;

  constructor(parts: { runDir: string; etcd: Etcd; clusters: ReadonlyMap<string, ApiServer>; keep: boolean }) {
    ({ runDir: this.runDir, etcd: this.etcd, clusters: this.clusters, keep: this.keep } = parts);
  }

  get(name: string): ApiServer {
    const server = this.clusters.get(name);
    if (!server) throw new Error(`no cluster ${name}; have ${[...this.clusters.keys()].join(', ')}`);
    return server;
  }

  /** A client config for the named cluster, as its admin. */
  kubeConfig(name: string): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromFile(this.get(name).kubeconfigPath);
    return kc;
  }

  /** PIDs of every process this set runs. */
  pids(): number[] {
    return [this.etcd.process.pid, ...[...this.clusters.values()].map((s) => s.pid)].filter((p): p is number => p !== undefined);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all([...this.clusters.values()].map((s) => s.stop()));
    await this.etcd.stop();
    if (!this.keep) rmSync(this.runDir, { recursive: true, force: true });
  }
}

export async function startClusters(opts: ClusterSetOptions = {}): Promise<ClusterSet> {
  const names = opts.names ?? ['host', 'member-a', 'member-b'];
  const log = opts.log ?? (() => undefined);
  const bins = findBinaries();
  const reaped = reapStaleRuns(HARNESS_ROOT);
  if (reaped > 0) log(`harness: killed ${reaped} process(es) left by an earlier run`);
  const runDir = join(HARNESS_ROOT, `run-${process.pid}-${Date.now()}`);
  mkdirSync(runDir, { recursive: true });

  const t0 = performance.now();
  log(`harness: starting etcd (${runDir})`);
  const etcd = await startEtcd(bins.etcd, runDir);
  const t1 = performance.now();
  const servers = new Map(
    names.map((name) => [
      name,
      new ApiServer({ name, binary: bins.kubeApiserver, etcdUrl: etcd.url, runDir, extraArgs: opts.extraArgs?.[name] ?? [] }),
    ]),
  );
  const set = new ClusterSet({ runDir, etcd, clusters: servers, keep: opts.keep ?? false });
  try {
    log(`harness: starting ${names.length} kube-apiserver(s): ${names.join(', ')}`);
    await Promise.all([...servers.values()].map((s) => s.start().then(() => log(`harness: ${s.name} ready at ${s.url}`))));
    const t2 = performance.now();
    if (opts.crds ?? true) {
      await Promise.all(names.map((name) => installCrds(set.kubeConfig(name), join(REPO_ROOT, 'crds'))));
      log(`harness: CRDs Established in ${names.join(', ')}`);
    }
    const t3 = performance.now();
    Object.assign(set.timings, { etcdMs: t1 - t0, apiServersMs: t2 - t1, crdsMs: t3 - t2, totalMs: t3 - t0 });
    return set;
  } catch (err) {
    await set.stop();
    throw err;
  }
}
