/** `heraldctl status`: help, flags, and from flags to status.ts. */
import { stringify } from 'yaml';
import { UsageError } from '@herald/shared/cli';
import { HOST_FLAGS, HOST_HELP, OUTPUT_FLAGS, outputOf, type Command } from './command.js';
import { hostKubeconfig } from './kube-flags.js';
import { readStatus, statusText } from './status.js';

const USAGE = `The federation on one screen: members, propagation problems and failing receivers.

usage: heraldctl status [--kubeconfig FILE] [--context NAME] [-o yaml|json]
${HOST_HELP}

status reads what the host controller wrote into the status of the MemberClusters and of every
Herald object: per member, whether its API server answers (READY), its agent's heartbeat (AGENT),
whether every placed object is applied (SYNCED) and the agent's delivery totals; then each object
not applied on a member it is placed on, with the reason; then each receiver whose deliveries
fail on a member, with the last error. It exits 0 when everything is ready, applied and delivering,
and 1 when anything listed is not.`;

export function statusCommand(): Command {
  return {
    summary: 'members, agents, propagation problems and delivery health on one screen',
    usage: USAGE,
    flags: { ...HOST_FLAGS, ...OUTPUT_FLAGS },
    async run(v, positionals) {
      if (positionals.length > 0) throw new UsageError(`status takes no arguments: ${positionals.join(' ')}`);
      const output = outputOf(v);
      const report = await readStatus(hostKubeconfig(v), () => new Date());
      if (output === 'json') console.log(JSON.stringify(report, null, 2));
      else if (output === 'yaml') console.log(stringify(report, { lineWidth: 0 }).trimEnd());
      else console.log(statusText(report));
      const healthy = report.members.every((m) => m.problems.length === 0) && report.problems.length === 0 && report.failing.length === 0;
      if (!healthy) process.exitCode = 1;
    },
  };
}
