/** `heraldctl init`: help, and from flags to init.ts. */
import { UsageError, type FlagTable } from '@herald/shared/cli';
import { HOST_FLAGS, HOST_HELP, list, str, type Command } from './command.js';
import { HOST_IMAGE } from './host-manifests.js';
import { init } from './init.js';
import { hostKubeconfig } from './kube-flags.js';

const INIT_FLAGS = {
  ...HOST_FLAGS,
  image: { type: 'string', default: HOST_IMAGE },
  replicas: { type: 'string', default: '2' },
  'secret-namespace': { type: 'string', multiple: true, default: [] },
  'admin-token-secret': { type: 'string' },
} satisfies FlagTable;

const INIT_USAGE = `Install the host side of Herald on the host cluster (a quick start; charts/herald installs the same).

usage: heraldctl init [--kubeconfig FILE] [--context NAME] [--image IMAGE] [--replicas 2] [--secret-namespace NS …]
                 [--admin-token-secret NAME]
${HOST_HELP}
  --image             the host image (default ${HOST_IMAGE})
  --replicas          leader-elected replicas, 1 to 10 (default 2)
  --secret-namespace  a namespace the Secrets Herald objects reference may come from (repeatable; default
                      herald-system); each must exist
  --admin-token-secret  a Secret in herald-system whose key token the admin API accepts

init installs every Herald CRD, namespaces herald-system and herald-clusters, the herald-host ServiceAccount
with least-privilege RBAC (Secrets only in herald-clusters and each --secret-namespace), and its Deployment,
Service (19094) and PodDisruptionBudget. Re-running it upgrades them.`;

export function initCommand(): Command {
  return {
    summary: 'install the host controller, its CRDs and RBAC on the host',
    usage: INIT_USAGE,
    flags: INIT_FLAGS,
    async run(v, positionals) {
      if (positionals.length > 0) throw new UsageError(`init takes no NAME: ${positionals.join(' ')}`);
      const replicas = Number(str(v, 'replicas'));
      if (!Number.isInteger(replicas) || replicas < 1 || replicas > 10) throw new UsageError('--replicas must be a whole number from 1 to 10');
      const secretNamespaces = list(v, 'secret-namespace');
      const adminTokenSecret = str(v, 'admin-token-secret');
      await init({
        host: hostKubeconfig(v),
        image: str(v, 'image') ?? HOST_IMAGE,
        replicas,
        secretNamespaces: secretNamespaces.length > 0 ? secretNamespaces : ['herald-system'],
        ...(adminTokenSecret ? { adminTokenSecret } : {}),
        say: (line) => console.log(line),
      });
    },
  };
}
