/** Runs the real host controller (host/src/cli.ts) as a child process, for tests that kill it. */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../harness/net.js';

const CLI = fileURLToPath(new URL('../../host/src/cli.ts', import.meta.url));

export interface HostProcess {
  id: string;
  url: string;
  /** The static admin token this host accepts, and the headers that carry it. */
  adminToken: string;
  headers(): Record<string, string>;
  output: () => string;
  /** SIGKILL: the Lease is left to lapse. */
  kill(): Promise<void>;
  /** SIGTERM: a leader releases the Lease. */
  stop(): Promise<void>;
  readonly exited: boolean;
}

export async function startHost(opts: { kubeconfig: string; id: string; args?: string[] }): Promise<HostProcess> {
  const port = await freePort();
  const adminToken = `host-admin-${randomBytes(16).toString('hex')}`;
  const tokenFile = join(mkdtempSync(join(tmpdir(), 'herald-host-')), 'admin-token');
  writeFileSync(tokenFile, `${adminToken}\n`, { mode: 0o600 });
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI, '--kubeconfig', opts.kubeconfig, '--id', opts.id, '--port', String(port), '--host', '127.0.0.1', '--log-level', 'warn', '--admin-token-file', tokenFile, ...(opts.args ?? [])],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (!(await fetch(`${url}/healthz`).then((r) => r.ok, () => false))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`herald-host did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    id: opts.id,
    url,
    adminToken,
    headers: () => ({ authorization: `Bearer ${adminToken}` }),
    output: () => out,
    get exited() {
      return child.exitCode !== null || child.signalCode !== null;
    },
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
