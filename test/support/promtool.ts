/** Prometheus's promtool, built by hack/build-promtool.sh (HERALD_PROMTOOL overrides its folder). */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../harness/binaries.js';

function promtoolBinary(): string {
  const path = join(process.env['HERALD_PROMTOOL'] ?? join(REPO_ROOT, '.cache', 'promtool'), 'promtool');
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run promtool:build\` (builds promtool with Go)`);
  return path;
}

/** Runs promtool with `stdin` piped in; resolves with its exit code and everything it printed. */
export function promtool(args: string[], opts: { stdin?: string; cwd?: string } = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(promtoolBinary(), args, { cwd: opts.cwd ?? REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out }));
    child.stdin.end(opts.stdin ?? '');
  });
}

/**
 * prom-client's standard Node.js gauges, under the names every Node.js dashboard reads: promtool
 * objects to their `_total` suffix, and renaming them would break those dashboards.
 */
const PROM_CLIENT_STANDARD = new Set(['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']);

/** `promtool check metrics` on a scrape: the findings (naming, units, help), empty when it is clean. */
export async function metricsFindings(scrape: string): Promise<string> {
  const { code, out } = await promtool(['check', 'metrics'], { stdin: scrape });
  if (code === 0) return '';
  const findings = out.trim().split('\n').filter((line) => !PROM_CLIENT_STANDARD.has(line.split(' ')[0] ?? ''));
  return findings.length > 0 ? findings.join('\n') : '';
}
