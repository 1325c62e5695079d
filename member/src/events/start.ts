/**
 * Starts the Kubernetes Events watch for an agent in a cluster, once its configuration (and so
 * its Rules) is loaded: an event seen before that would be judged by the wrong rules.
 */
import { KubeConfig } from '@kubernetes/client-node';
import type { Agent } from '../agent.js';
import { EventSource } from './source.js';

export async function watchEvents(agent: Agent, opts: { kubeconfig: string | undefined; namespaces: string[] | undefined }): Promise<() => Promise<void>> {
  const kc = new KubeConfig();
  if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
  else kc.loadFromDefault();
  for (let waited = 0; !agent.configured && waited < 60_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
  if (!agent.configured) agent.app.log.warn('no configuration after 60 s; watching Events with the default rule until it arrives');
  const source = new EventSource({
    kc,
    namespaces: opts.namespaces,
    db: agent.db,
    outbox: agent.outbox,
    snapshot: () => agent.snapshot,
    nudge: () => agent.enqueued(),
    log: (entry) => agent.app.log.warn(entry),
  });
  await source.start();
  agent.app.log.info(`watching Kubernetes Events in ${opts.namespaces?.join(', ') ?? 'all namespaces'}`);
  return () => source.stop();
}
