/** The harness stops what it starts: on stop(), on a crash, and (via the next run) after SIGKILL. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HARNESS_ROOT, startClusters } from '../harness/clusters.js';
import { isRunning, reapStaleRuns } from '../harness/processes.js';

const alive = isRunning;

/** The PIDs still running once the kernel had up to `ms` to finish delivering SIGKILLs. */
async function survivors(pids: number[], ms = 2000): Promise<number[]> {
  const deadline = Date.now() + ms;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return pids.filter(alive);
}
const child = fileURLToPath(new URL('../support/harness-child.ts', import.meta.url));

/** Runs the child until it reports READY; resolves with its PIDs and a handle. */
function startChild(mode: 'throw' | 'hang'): Promise<{ pids: number[]; runDir: string; exited: Promise<number | null>; kill: () => void }> {
  // One process (no tsx wrapper), so the process we kill is the one that owns the control planes.
  const proc = spawn(process.execPath, ['--import', 'tsx', child, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = /READY (.*)/.exec(out)?.[1];
      if (line) resolve({ ...(JSON.parse(line) as { pids: number[]; runDir: string }), exited, kill: () => proc.kill('SIGKILL') });
    });
    proc.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    void exited.then(() => reject(new Error(`child exited before READY:\n${out}`)));
  });
}

describe('harness process lifecycle', () => {
  it('stop() ends etcd and every kube-apiserver and removes the run folder', async () => {
    const set = await startClusters({ names: ['solo'], crds: false });
    const pids = set.pids();
    expect(pids).toHaveLength(2);
    expect(pids.every(alive)).toBe(true);
    await set.stop();
    expect(pids.filter(alive)).toEqual([]);
    expect(existsSync(set.runDir)).toBe(false);
  });

  it('a test process that crashes takes its control planes with it', async () => {
    const { pids, exited } = await startChild('throw');
    expect(pids.every(alive)).toBe(true);
    expect(await exited).not.toBe(0);
    expect(await survivors(pids)).toEqual([]);
  });

  it('processes of a SIGKILLed run are reaped by the next run', async () => {
    const { pids, runDir, exited, kill } = await startChild('hang');
    kill();
    await exited;
    // SIGKILL leaves no chance to clean up: the control planes outlive their owner…
    expect(pids.every(alive)).toBe(true);
    // …until the next run reaps them.
    expect(reapStaleRuns(HARNESS_ROOT)).toBe(pids.length);
    expect(await survivors(pids)).toEqual([]);
    expect(existsSync(runDir)).toBe(false);
  });
});
