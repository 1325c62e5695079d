/** `heraldctl check-config DIR`: a standalone configuration folder, checked as the agent loads it. */
import { statSync } from 'node:fs';
import { UsageError } from '@herald/shared/cli';
import type { CheckReport } from '@herald/member/check';
import { OUTPUT_FLAGS, outputOf, type Command } from './command.js';

const USAGE = `Check a folder of Herald objects (and Secrets) as herald-agent --config-dir would load it.

usage: heraldctl check-config DIR [-o json]

check-config reads every .yaml, .yml and .json file under DIR and reports what an agent would log:
a file that does not parse, a field the schema refuses, a regex or cron expression that does not
compile, a template that does not parse; and the Secrets or keys the objects reference that DIR
does not hold (an agent finds those only when it first sends). It exits 0 when there is nothing
to report, 1 otherwise.`;

/** The report in lines for people (pure). */
function reportText(dir: string, r: CheckReport): string {
  const counts = Object.entries(r.loaded).map(([kind, n]) => `${n} ${kind}`);
  const head = `${dir}: ${counts.length > 0 ? counts.join(', ') : 'no Herald objects'}`;
  if (r.problems.length === 0) return `${head}\nno problems`;
  const lines = r.problems.map((p) => `  ${p.kind} ${p.name}: ${p.message}`);
  return [head, `${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}:`, ...lines].join('\n');
}

export function checkConfigCommand(): Command {
  return {
    summary: 'check a standalone configuration folder as the agent loads it',
    usage: USAGE,
    flags: { ...OUTPUT_FLAGS },
    async run(v, positionals) {
      const [dir, ...extra] = positionals;
      if (dir === undefined) throw new UsageError('DIR is required');
      if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
      const output = outputOf(v);
      if (output === 'yaml') throw new UsageError('check-config prints a table or -o json');
      let isDir = false;
      try {
        isDir = statSync(dir).isDirectory();
      } catch {
        throw new UsageError(`${dir}: no such folder`);
      }
      if (!isDir) throw new UsageError(`${dir} is not a folder`);
      // Loaded here, not at start: the agent's validation (schemas, Handlebars) is for this command only.
      const { checkConfigDir } = await import('@herald/member/check');
      const report = await checkConfigDir(dir);
      console.log(output === 'json' ? JSON.stringify(report, null, 2) : reportText(dir, report));
      if (report.problems.length > 0) process.exitCode = 1;
    },
  };
}
