/** The Helm CLI built by hack/build-helm.sh (HERALD_HELMBIN overrides its folder), run on the charts. */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { Manifest } from '../../host/src/ctl/manifests.js';
import { REPO_ROOT } from '../harness/binaries.js';

const run = promisify(execFile);

function helmBinary(): string {
  const path = join(process.env['HERALD_HELMBIN'] ?? join(REPO_ROOT, '.cache', 'helmbin'), 'helm');
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run helm:build\` (builds Helm with Go)`);
  return path;
}

export const chartDir = (chart: 'herald' | 'herald-agent'): string => join(REPO_ROOT, 'charts', chart);

/** Runs helm; resolves with its output whatever its exit code (lint's errors are in the output). */
export async function helm(...args: string[]): Promise<{ code: number; out: string }> {
  // An empty HOME per run: no user's repositories, plugins, caches or kubeconfig are read or written.
  const home = mkdtempSync(join(tmpdir(), 'herald-helm-'));
  const env = { PATH: process.env['PATH'] ?? '', HOME: home, HELM_CACHE_HOME: join(home, 'cache'), HELM_CONFIG_HOME: join(home, 'config'), HELM_DATA_HOME: join(home, 'data') };
  try {
    const { stdout, stderr } = await run(helmBinary(), args, { env, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** A values file holding `values` (JSON is YAML). */
function valuesFile(values: Record<string, unknown>): string {
  const file = join(mkdtempSync(join(tmpdir(), 'herald-values-')), 'values.yaml');
  writeFileSync(file, JSON.stringify(values));
  return file;
}

/** The objects `helm template` renders (the chart's crds/ too when asked), parsed. */
export async function template(chart: 'herald' | 'herald-agent', values: Record<string, unknown>, opts: { crds?: boolean } = {}): Promise<Manifest[]> {
  const { code, out } = await helm('template', chart, chartDir(chart), '--namespace', 'herald-system', '--values', valuesFile(values), ...(opts.crds ? ['--include-crds'] : []));
  if (code !== 0) throw new Error(`helm template ${chart} failed:\n${out}`);
  return parseAllDocuments(out)
    .map((d) => d.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}

/** `Kind/namespace/name` of an object: how rendered sets are compared. */
export const idOf = (m: Manifest): string => `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`;
