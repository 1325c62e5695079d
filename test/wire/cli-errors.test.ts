/**
 * The three CLIs meet mistakes the way kubectl does: one line naming what is wrong (the closest
 * known flag or command where there is one), then where the help is, exit 2; never a stack trace
 * or pages of bundled source (a bad --log-level used to print 84 KB of it). The agent is run as it
 * ships, from its bundle; the host and heraldctl from their sources.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HERALD_VERSION } from '../../shared/src/index.js';
import { bundleAgent } from '../../hack/bundle-agent.js';

const HOST = fileURLToPath(new URL('../../host/src/cli.ts', import.meta.url));
const CTL = fileURLToPath(new URL('../../host/src/ctl/cli.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'herald-cli-'));
// Inside the repository, so the bundle finds better-sqlite3 (kept outside it) in node_modules.
const CACHE = fileURLToPath(new URL('../../.cache/', import.meta.url));
mkdirSync(CACHE, { recursive: true });
const bundle = mkdtempSync(join(CACHE, 'bundle-'));
const agentCli = join(bundle, 'cli.js');

beforeAll(async () => {
  await bundleAgent(bundle);
  // kubectl finds plugins by name on PATH: the same CLI under the name kubectl-herald.
  symlinkSync(CTL, join(dir, 'kubectl-herald'));
}, 120_000);
afterAll(() => {
  for (const d of [dir, bundle]) rmSync(d, { recursive: true, force: true });
});

/** Runs a CLI with no kubeconfig anywhere to fall back on. */
function run(entry: string[], args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const env = { PATH: process.env['PATH'] ?? '', HOME: '/nonexistent' };
    const child = spawn(process.execPath, [...entry, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => resolve({ code, out }));
  });
}
const agent = (...args: string[]): ReturnType<typeof run> => run([agentCli], args);
const host = (...args: string[]): ReturnType<typeof run> => run(['--import', 'tsx', HOST], args);
const ctl = (...args: string[]): ReturnType<typeof run> => run(['--import', 'tsx', CTL], args);

/** A usage error: exactly the message line and the help line, exit 2. */
function usage(result: { code: number | null; out: string }, tool: string, message: string, help: string): void {
  expect(result.out.trim().split('\n')).toEqual([`${tool}: ${message}`, `See '${help}'.`]);
  expect(result.code).toBe(2);
}

describe('herald-agent (bundled)', () => {
  it('names an unknown flag', async () => usage(await agent('--bogus'), 'herald-agent', 'unknown flag --bogus', 'herald-agent --help'));
  it('lists the accepted log levels instead of printing its source', async () =>
    usage(await agent('--log-level', 'verbose'), 'herald-agent', '--log-level "verbose" is not one of trace, debug, info, warn, error, fatal, silent', 'herald-agent --help'));
  it('says a config folder is missing', async () => usage(await agent('--config-dir', '/nope'), 'herald-agent', '--config-dir /nope: no such folder', 'herald-agent --help'));
  it('with neither a config folder nor a kubeconfig says so in one line', async () => {
    const r = await agent('--allow-anonymous-ingest');
    expect(r.out.trim().split('\n')).toHaveLength(1);
    expect(r.out).toContain('no configuration: pass --config-dir DIR (standalone) or --kubeconfig FILE');
    expect(r.code).toBe(2);
  });
  it('prints its version', async () => expect(await agent('--version')).toEqual({ code: 0, out: `herald-agent ${HERALD_VERSION}\n` }));
});

describe('herald-host', () => {
  it('names an unknown flag', async () => usage(await host('--bogus'), 'herald-host', 'unknown flag --bogus', 'herald-host --help'));
  it('says a kubeconfig is missing', async () => usage(await host('--kubeconfig', '/nope'), 'herald-host', '--kubeconfig /nope: no such file', 'herald-host --help'));
  it('lists the accepted log levels', async () =>
    usage(await host('--log-level', 'loud'), 'herald-host', '--log-level "loud" is not one of trace, debug, info, warn, error, fatal, silent', 'herald-host --help'));
  it('prints its version', async () => expect(await host('--version')).toEqual({ code: 0, out: `herald-host ${HERALD_VERSION}\n` }));
});

describe('heraldctl', () => {
  it('suggests the closest flag', async () => usage(await ctl('join', 'm1', '--lable', 'a=b'), 'heraldctl', 'unknown flag --lable (did you mean --label?)', 'heraldctl join --help'));
  it('says NAME is required', async () => usage(await ctl('join'), 'heraldctl', 'NAME is required', 'heraldctl join --help'));
  it('names an unknown command', async () => usage(await ctl('frobnicate'), 'heraldctl', 'unknown command "frobnicate"', 'heraldctl --help'));
  it('checks init’s flags before reaching a cluster', async () => usage(await ctl('init', '--replicas', '0'), 'heraldctl', '--replicas must be a whole number from 1 to 10', 'heraldctl init --help'));
  it('without a kubeconfig says how to give one', async () => usage(await ctl('join', 'm1'), 'heraldctl', 'no kubeconfig: pass --kubeconfig FILE or set KUBECONFIG', 'heraldctl join --help'));
  it('prints its version, and has per-command help', async () => {
    expect(await ctl('--version')).toEqual({ code: 0, out: `heraldctl ${HERALD_VERSION}\n` });
    const help = await ctl('init', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('usage: heraldctl init');
  });
  it('checks silence matchers, times and schedules before reaching a cluster', async () => {
    const cases: [string[], string, string][] = [
      [['silence', 'add', 'job!~batch.*', '--comment', 'x'], 'matcher job!~"batch.*": Herald selectors have no negative regex; list the values with job!=value for each, or use =~', 'silence add'],
      [['silence', 'add', 'instance=~(db', '--comment', 'x'], 'matcher instance=~"(db": ', 'silence add'],
      [['silence', 'add', 'A', '--comment', 'x', '--end', 'tomorrow'], '--end "tomorrow" is not an RFC 3339 time with a zone', 'silence add'],
      [['silence', 'add', 'A', '--comment', 'x', '--schedule', '0 2 * * *'], '--schedule needs --duration', 'silence add'],
      [['silence', 'add', 'A', '--comment', 'x', '--schedule', 'nightly', '--duration', '1h'], '--schedule: invalid cron expression "nightly"', 'silence add'],
      [['silence', 'add', 'A', '--comment', 'x', '--duration', '1d'], '--duration: invalid duration "1d"', 'silence add'],
      [['silence', 'query', 'a!=b'], 'silence query takes labels (name=value)', 'silence query'],
      [['silence', 'expire'], 'name at least one silence', 'silence expire'],
      [['silence', 'ad'], 'unknown silence command "ad" (did you mean add?)', 'silence'],
    ];
    for (const [args, message, help] of cases) {
      const r = await ctl(...args);
      expect(r.code, args.join(' ')).toBe(2);
      const [first, second, ...rest] = r.out.trim().split('\n');
      expect(first, args.join(' ')).toContain(`heraldctl: ${message}`);
      expect(second).toBe(`See 'heraldctl ${help} --help'.`);
      expect(rest).toEqual([]);
    }
  });
  it('prints a silence without a cluster with --dry-run', async () => {
    const r = await ctl('silence', 'add', 'DiskFull', '--comment', 'swap', '--author', 'ana', '--dry-run', '-o', 'json');
    expect(r.code).toBe(0);
    const list = JSON.parse(r.out) as { items: { metadata: Record<string, unknown>; spec: Record<string, unknown> }[] };
    expect(list.items[0]?.metadata).toMatchObject({ generateName: 'silence-', labels: { type: 'global' } });
    expect(list.items[0]?.spec).toMatchObject({ matcher: { matchLabels: { alertname: 'DiskFull' } }, duration: '1h' });
  });
  it('runs as the kubectl plugin kubectl-herald, speaking of `kubectl herald`', async () => {
    const r = await run(['--import', 'tsx', join(dir, 'kubectl-herald')], ['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('usage: kubectl herald COMMAND');
    expect(r.out).toMatch(/^\s+init\s/m);
  });
});
