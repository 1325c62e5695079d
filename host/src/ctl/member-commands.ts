/**
 * `heraldctl verify` and `heraldctl history`: what the host's admin API does on members, from the
 * command line. heraldctl asks each member's agent itself, through the member's API server, with
 * the credential the host holds for it (the MemberCluster's kubeconfig Secret): whoever may read
 * those Secrets on the host may already act as the host on every member.
 */
import { stringify } from 'yaml';
import { HISTORY_LIMIT_PATTERN, HISTORY_OUTCOMES } from '@herald/shared';
import { UsageError } from '@herald/shared/cli';
import { historyAcross, verifyOn, verifyPlaced, type ClusterVerify } from '../members/queries.js';
import { HOST_FLAGS, HOST_HELP, OUTPUT_FLAGS, nameArg, outputOf, str, type Command, type Output, type Values } from './command.js';
import { hostKubeconfig } from './kube-flags.js';
import { historyText, verifyText } from './member-views.js';

function print(value: unknown, output: Output | undefined, text: () => string): void {
  if (output === 'json') console.log(JSON.stringify(value, null, 2));
  else if (output === 'yaml') console.log(stringify(value, { lineWidth: 0 }).trimEnd());
  else console.log(text());
}

const VERIFY_USAGE = `Send the test message through a receiver, on the members it is placed on, and show each channel's answer.

usage: heraldctl verify RECEIVER [--cluster NAME] [--kubeconfig FILE] [--context NAME] [-o yaml|json]
  --cluster NAME      only on this member (the receiver as the member has it)
${HOST_HELP}

Each member's agent sends through its own copy of the receiver, its Config and Secrets, and
answers per channel; a member that cannot be reached says why. Exit 0 when every channel on every
member accepted the message, 1 otherwise.`;

export function verifyCommand(): Command {
  return {
    summary: "send a receiver's test message on its members, with each channel's answer",
    usage: VERIFY_USAGE,
    flags: { ...HOST_FLAGS, ...OUTPUT_FLAGS, cluster: { type: 'string' } },
    async run(v: Values, positionals: string[]) {
      const receiver = nameArg(positionals, 'RECEIVER');
      const output = outputOf(v);
      const kc = hostKubeconfig(v);
      const cluster = str(v, 'cluster');
      let clusters: ClusterVerify[];
      if (cluster !== undefined) clusters = [await verifyOn(kc, nameArg([cluster], '--cluster'), { receiver })];
      else clusters = (await verifyPlaced(kc, receiver)).clusters;
      print({ receiver, clusters }, output, () => verifyText(clusters));
      if (clusters.length === 0 || !clusters.every((c) => c.ok)) process.exitCode = 1;
    },
  };
}

const HISTORY_USAGE = `What was sent, on every member (or one), newest first.

usage: heraldctl history [--cluster NAME] [--receiver NAME] [--channel NAME] [--outcome OUTCOME]
                         [--since TIME] [--limit N] [--cursor C] [--kubeconfig FILE] [--context NAME] [-o yaml|json]
  --outcome           delivered, failed, retrying, suppressed or inhibited
  --since TIME        RFC 3339 (2026-12-01T08:00:00Z)
  --limit N           1 to 1000 (default 50)
  --cursor C          the next page, as the previous one printed it
${HOST_HELP}

A member that cannot be reached is listed under the table as missing; the exit code is then 1.`;

export function historyCommand(): Command {
  return {
    summary: 'delivery history across members, newest first',
    usage: HISTORY_USAGE,
    flags: { ...HOST_FLAGS, ...OUTPUT_FLAGS, cluster: { type: 'string' }, receiver: { type: 'string' }, channel: { type: 'string' }, outcome: { type: 'string' }, since: { type: 'string' }, limit: { type: 'string' }, cursor: { type: 'string' } },
    async run(v: Values, positionals: string[]) {
      if (positionals.length > 0) throw new UsageError(`history takes no arguments: ${positionals.join(' ')}`);
      const outcome = str(v, 'outcome');
      if (outcome !== undefined && !HISTORY_OUTCOMES.some((o) => o === outcome)) throw new UsageError(`--outcome is one of ${HISTORY_OUTCOMES.join(', ')}, not ${JSON.stringify(outcome)}`);
      const since = str(v, 'since');
      if (since !== undefined && Number.isNaN(Date.parse(since))) throw new UsageError(`--since ${JSON.stringify(since)} is not a time (RFC 3339: 2026-12-01T08:00:00Z)`);
      const limitText = str(v, 'limit') ?? '50';
      if (!new RegExp(HISTORY_LIMIT_PATTERN).test(limitText)) throw new UsageError(`--limit is a number from 1 to 1000, not ${JSON.stringify(limitText)}`);
      const output = outputOf(v);
      const cluster = str(v, 'cluster');
      const receiver = str(v, 'receiver');
      const page = await historyAcross(hostKubeconfig(v), {
        cluster: cluster === undefined ? undefined : nameArg([cluster], '--cluster'),
        receiver: receiver === undefined ? undefined : nameArg([receiver], '--receiver'),
        channel: str(v, 'channel'),
        outcome,
        since: since === undefined ? undefined : new Date(since).toISOString(),
        limit: Number(limitText),
        cursor: str(v, 'cursor'),
      });
      print(page, output, () => historyText(page));
      if (page.missing.length > 0) process.exitCode = 1;
    },
  };
}
