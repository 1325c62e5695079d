/**
 * Runs the real agent (member/src/cli.ts, or its bundle) as a child process, standalone or against
 * a cluster, for tests that kill it, restart it and talk to it over HTTP like Alertmanager does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { BUNDLED_CLI } from '../../hack/bundle-agent.js';
import { freePort, get } from '../harness/net.js';

export { freePort };

const CLI = fileURLToPath(new URL('../../member/src/cli.ts', import.meta.url));

/** The static bearer tokens a started agent accepts, by role. */
interface AgentTokens {
  ingest: string;
  admin: string;
}

export interface AgentProcess {
  url: string;
  pid: number;
  tokens: AgentTokens;
  /** `Authorization` (and JSON content-type) headers for a role. */
  headers(role: keyof AgentTokens): Record<string, string>;
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
  /** The address to listen on; default 127.0.0.1. */
  host?: string;
  env?: NodeJS.ProcessEnv;
  args?: string[];
  /** Serve HTTPS with this certificate; `ca` is what the test trusts. */
  tls?: { cert: string; key: string; ca: string };
  /** Run the bundle (member/bundle/cli.js) instead of the sources. */
  bundled?: boolean;
  /** Run the cli.js of a bundle built elsewhere (bundleAgent(outdir)): a test's own copy. */
  bundleCli?: string;
  /** Static tokens to accept (written to token files); fresh random ones by default, none with `false`. */
  tokens?: AgentTokens | false;
}

/** Writes the token files into the data folder; returns the flags that name them. */
function tokenFiles(dataDir: string, tokens: AgentTokens): string[] {
  writeFileSync(join(dataDir, 'ingest-token'), `${tokens.ingest}\n`, { mode: 0o600 });
  writeFileSync(join(dataDir, 'admin-token'), `${tokens.admin}\n`, { mode: 0o600 });
  return ['--ingest-token-file', join(dataDir, 'ingest-token'), '--admin-token-file', join(dataDir, 'admin-token')];
}

const randomTokens = (): AgentTokens => ({ ingest: `ingest-${randomBytes(16).toString('hex')}`, admin: `admin-${randomBytes(16).toString('hex')}` });

/** The agent's command line. */
function agentArgs(opts: StartOptions, dataDir: string, port: number, tokens: AgentTokens | false): string[] {
  const source = opts.configDir ? ['--config-dir', opts.configDir] : ['--kubeconfig', opts.kubeconfig ?? ''];
  const tls = opts.tls ? tlsFiles(dataDir, opts.tls) : [];
  const auth = tokens ? tokenFiles(dataDir, tokens) : [];
  const entry = opts.bundleCli ? [opts.bundleCli] : opts.bundled ? [BUNDLED_CLI] : ['--import', 'tsx', CLI];
  return [...entry, ...source, '--data-dir', dataDir, '--port', String(port), '--host', opts.host ?? '127.0.0.1', '--log-level', 'warn', ...tls, ...auth, ...(opts.args ?? [])];
}

async function untilReady(url: string, ca: string | undefined, child: ChildProcess, out: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await isReady(url, ca))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`agent did not start:\n${out()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts the agent standalone (`configDir`) or against a cluster (`kubeconfig`). */
export async function startAgent(opts: StartOptions): Promise<AgentProcess> {
  const port = opts.port ?? (await freePort());
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'herald-data-'));
  mkdirSync(dataDir, { recursive: true });
  const tokens = opts.tokens ?? randomTokens();
  const child: ChildProcess = spawn(
    process.execPath,
    agentArgs(opts, dataDir, port, tokens),
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } },
  );
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ca = opts.tls?.ca;
  const url = `${ca ? 'https' : 'http'}://${opts.host ?? '127.0.0.1'}:${port}`;
  await untilReady(url, ca, child, () => out);
  const given = tokens || { ingest: '', admin: '' };
  return {
    url,
    pid: child.pid ?? 0,
    tokens: given,
    headers: (role) => ({ 'content-type': 'application/json', authorization: `Bearer ${given[role]}` }),
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

/** Runs the agent expecting it to refuse to start: its exit code and everything it printed. */
export async function agentExit(opts: StartOptions): Promise<{ code: number | null; output: string }> {
  const port = opts.port ?? (await freePort());
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'herald-data-'));
  mkdirSync(dataDir, { recursive: true });
  const child = spawn(process.execPath, agentArgs(opts, dataDir, port, opts.tokens ?? randomTokens()), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, output };
}
