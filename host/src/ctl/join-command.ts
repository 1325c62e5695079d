/** `heraldctl join` and `heraldctl unjoin`: help, and from flags to join.ts/unjoin.ts. */
import type { FlagTable } from '@herald/shared/cli';
import { bool, HOST_HELP, MEMBER_HELP, nameArg, outputOf, type Command } from './command.js';
import { join, joinPlan } from './join.js';
import { joinArgs } from './join-args.js';
import { hostKubeconfig, memberKubeconfig, memberNamed } from './kube-flags.js';
import { renderManifests } from './output.js';
import { unjoin, unjoinPlan } from './unjoin.js';

const say = (line: string): void => console.log(line);

const JOIN_USAGE = `Install the agent on a member cluster and register it with the host.

usage: heraldctl join NAME [--kubeconfig FILE] [--context NAME] [--member-kubeconfig FILE] [--member-context NAME]
                 [--label k=v …] [--image IMAGE] [--secret-namespace NS …] [--storage pvc|emptyDir] [--storage-size 1Gi]
                 [--storage-class C] [--credentials token|kubeconfig] [--token-ttl-hours 8760] [--tls-secret NAME]
                 [--alertmanager NAMESPACE/SERVICEACCOUNT …] [--alertmanager-token-namespace NS …]
                 [--timeout 2m] [--dry-run [-o yaml|json]]
${HOST_HELP}
${MEMBER_HELP}
  --dry-run           print what join would apply (member, then host) and apply nothing
  --timeout           how long to wait for a terminating herald-system namespace on the member (default 2m)

join first checks the host: Herald's CRDs are served and you may create the MemberCluster, the namespaces and
the kubeconfig Secret (SelfSubjectAccessReview); if not it says what to do and touches nothing.
It then installs on the member: Herald's CRDs, namespace herald-system, the herald-agent ServiceAccount with
least-privilege RBAC (Secrets only in herald-system and each --secret-namespace), its Deployment (data on a
PersistentVolumeClaim unless --storage emptyDir) and Service on port 19093, and the herald-propagator
ServiceAccount the host uses; on the host: a kubeconfig Secret in herald-clusters and the MemberCluster.
--credentials token (default) gives the host a TokenRequest token of herald-propagator; kubeconfig stores
the member kubeconfig as given. Re-running join is safe and renews the token. --tls-secret names a
kubernetes.io/tls Secret in herald-system the agent serves HTTPS with (the audit webhook needs TLS).
join makes an ingest token once (Secret herald-system/herald-agent-ingest-token); --alertmanager binds a
ServiceAccount to the Role herald-ingest; --alertmanager-token-namespace copies the ingest token into Secret
herald-ingest-token there. join prints the Alertmanager webhook_configs that work.`;

export function joinCommand(flags: FlagTable): Command {
  return {
    summary: 'install the agent on a member and register it with the host',
    usage: JOIN_USAGE,
    flags,
    async run(v, positionals) {
      const args = joinArgs(nameArg(positionals), v);
      if (args.dryRun) {
        const plan = joinPlan(args);
        return say(renderManifests([...plan.member, ...plan.host], outputOf(v) ?? 'yaml'));
      }
      await join({ ...args, host: hostKubeconfig(v), member: memberKubeconfig(v), say });
    },
  };
}

const UNJOIN_USAGE = `Unregister a member from the host and remove what Herald put on it.

usage: heraldctl unjoin NAME [--kubeconfig FILE] [--context NAME] [--member-kubeconfig FILE] [--member-context NAME]
                   [--force] [--remove-crds] [--dry-run [-o yaml|json]]
${HOST_HELP}
${MEMBER_HELP}
  --force             unregister a member that cannot be reached (or without a member kubeconfig)
  --remove-crds       also delete Herald's CRDs on the member
  --dry-run           print what unjoin would delete (it reads both clusters, changes nothing)

unjoin removes the MemberCluster and its Secret from the host, then Herald's copies and the agent from the member.`;

export function unjoinCommand(flags: FlagTable): Command {
  return {
    summary: 'unregister a member and remove the agent from it',
    usage: UNJOIN_USAGE,
    flags,
    async run(v, positionals) {
      const name = nameArg(positionals);
      const host = hostKubeconfig(v);
      // Without --force a member kubeconfig is needed; KUBECONFIG counts as one, as for join.
      const member = memberNamed(v) || !bool(v, 'force') ? memberKubeconfig(v) : undefined;
      const o = { name, host, ...(member ? { member } : {}), force: bool(v, 'force'), removeCrds: bool(v, 'remove-crds'), say };
      if (bool(v, 'dry-run')) return say(renderManifests(await unjoinPlan(o), outputOf(v) ?? 'yaml'));
      await unjoin(o);
    },
  };
}
