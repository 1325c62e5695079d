/**
 * Child-process supervision for the harness. Every process it starts is recorded in the run's
 * state folder; on exit, SIGINT or SIGTERM they are killed, and processes left behind by a run
 * that died (SIGKILL, OOM) are killed by the next run before it starts anything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, closeSync } from 'node:fs';
import { join } from 'node:path';

const live = new Set<ChildProcess>();
let hooksInstalled = false;

function killAllNow(): void {
  for (const child of live) child.kill('SIGKILL');
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAllNow();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

/** Whether a process runs: it exists and is not a zombie waiting to be reaped. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  // Field 3, after the parenthesised command name, is the state; Z is a zombie.
  return !/\) Z /.test(stat);
}

/** Kills processes recorded by earlier runs under `root` whose owner is gone, and removes their folders. */
export function reapStaleRuns(root: string): number {
  if (!existsSync(root)) return 0;
  let killed = 0;
  for (const entry of readdirSync(root)) {
    const owner = Number(/^run-(\d+)-/.exec(entry)?.[1]);
    if (!owner || isRunning(owner)) continue;
    const dir = join(root, entry);
    const pidFile = join(dir, 'pids');
    const pids = existsSync(pidFile) ? readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).map(Number) : [];
    for (const pid of pids) {
      // Only kill a PID that is still one of ours: its command line names this run's folder.
      const cmdline = existsSync(`/proc/${pid}/cmdline`) ? readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '';
      if (cmdline.includes(dir)) {
        process.kill(pid, 'SIGKILL');
        killed++;
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return killed;
}

export interface Supervised {
  readonly name: string;
  readonly pid: number | undefined;
  readonly logFile: string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<number | null>;
  stop(graceMs?: number): Promise<void>;
}

/** Starts `command` with its output in `<runDir>/<name>.log`, recorded for cleanup. */
export function supervise(runDir: string, name: string, command: string, args: string[]): Supervised {
  installExitHooks();
  mkdirSync(runDir, { recursive: true });
  const logFile = join(runDir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(command, args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  live.add(child);
  if (child.pid) appendFileSync(join(runDir, 'pids'), `${child.pid}\n`);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      live.delete(child);
      resolve(code);
    });
    child.once('error', () => {
      live.delete(child);
      resolve(null);
    });
  });
  return {
    name,
    pid: child.pid,
    logFile,
    exited,
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null || !live.has(child)) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Last lines of a log, for error messages when a process fails to start. */
export function tail(logFile: string, lines = 15): string {
  if (!existsSync(logFile)) return '(no log)';
  return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}
