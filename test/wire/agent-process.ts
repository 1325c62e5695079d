/**
 * Runs the real agent (member/src/cli.ts, or its bundle) as a child process, standalone or against
 * a cluster, for tests that kill it, restart it and talk to it over HTTP like Alertmanager does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { BUNDLED_CLI } from '../../hack/bundle-agent.js';
import { freePort, get } from '../harness/net.js';

export { freePort };

const CLI = fileURLToPath(new URL('../../member/src/cli.ts', import.meta.url));

export interface AgentProcess {
  url: string;
  dataDir: string;
  configDir: string | undefined;
  output: () => string;
  /** SIGKILL: no chance to flush or clean up. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** Writes Herald objects (as YAML documents) into a fresh config folder. */
export function configDir(objects: unknown[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'herald-config-'));
  writeFileSync(join(dir, 'objects.yaml'), objects.map((o) => stringify(o)).join('---\n'));
  return dir;
}

/** Writes the serving certificate and key into the data folder; returns the flags that name them. */
function tlsFiles(dataDir: string, tls: { cert: string; key: string }): string[] {
  writeFileSync(join(dataDir, 'tls.crt'), tls.cert);
  writeFileSync(join(dataDir, 'tls.key'), tls.key, { mode: 0o600 });
  return ['--tls-cert-file', join(dataDir, 'tls.crt'), '--tls-key-file', join(dataDir, 'tls.key')];
}

/** Whether /readyz answers 200 (over HTTPS trusting `ca`, when given). */
function isReady(url: string, ca: string | undefined): Promise<boolean> {
  if (ca) return get(`${url}/readyz`, { ca }).then((r) => r.status === 200, () => false);
  return fetch(`${url}/readyz`).then((r) => r.ok, () => false);
}

export interface StartOptions {
  configDir?: string;
  kubeconfig?: string;
  dataDir?: string;
  port?: number;
  env?: NodeJS.ProcessEnv;
  args?: string[];
  /** Serve HTTPS with this certificate; `ca` is what the test trusts. */
  tls?: { cert: string; key: string; ca: string };
  /** Run the bundle (member/bundle/cli.js) instead of the sources. */
  bundled?: boolean;
}

/** The agent's command line. */
function agentArgs(opts: StartOptions, dataDir: string, port: number): string[] {
  const source = opts.configDir ? ['--config-dir', opts.configDir] : ['--kubeconfig', opts.kubeconfig ?? ''];
  const tls = opts.tls ? tlsFiles(dataDir, opts.tls) : [];
  const entry = opts.bundled ? [BUNDLED_CLI] : ['--import', 'tsx', CLI];
  return [...entry, ...source, '--data-dir', dataDir, '--port', String(port), '--host', '127.0.0.1', '--log-level', 'warn', ...tls, ...(opts.args ?? [])];
}

/** Starts the agent standalone (`configDir`) or against a cluster (`kubeconfig`). */
export async function startAgent(opts: StartOptions): Promise<AgentProcess> {
  const port = opts.port ?? (await freePort());
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'herald-data-'));
  mkdirSync(dataDir, { recursive: true });
  const child: ChildProcess = spawn(
    process.execPath,
    agentArgs(opts, dataDir, port),
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } },
  );
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ca = opts.tls?.ca;
  const url = `${ca ? 'https' : 'http'}://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (await isReady(url, ca)) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`agent did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    dataDir,
    configDir: opts.configDir,
    output: () => out,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
