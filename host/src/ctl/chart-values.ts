/**
 * The Helm values under which the charts render what heraldctl installs (pure): join's agent
 * (charts/herald-agent) and init's host (charts/herald). Tests render the charts with these and
 * compare the objects with memberManifests() and hostManifests(), so the two cannot drift.
 */
import type { AgentInstall } from './manifests.js';
import type { HostInstall } from './host-manifests.js';

/** `repository:tag` split at the tag's colon (a registry port's colon comes before a slash). */
export function imageParts(image: string): { repository: string; tag: string } {
  const colon = image.lastIndexOf(':');
  if (colon <= image.lastIndexOf('/')) throw new Error(`image ${image} has no tag`);
  return { repository: image.slice(0, colon), tag: image.slice(colon + 1) };
}

export function agentChartValues(o: AgentInstall): Record<string, unknown> {
  return {
    cluster: o.cluster,
    image: imageParts(o.image),
    secretNamespaces: [...o.secretNamespaces],
    storage: o.storage.kind === 'pvc' ? { kind: 'pvc', size: o.storage.size, storageClass: o.storage.storageClass ?? '' } : { kind: 'emptyDir' },
    tlsSecret: o.tlsSecret ?? '',
    alertmanagers: o.alertmanagers.map((a) => ({ namespace: a.namespace, name: a.name })),
    // join makes the ingest token itself, before the Deployment.
    ingestToken: { create: false },
  };
}

export function hostChartValues(o: HostInstall): Record<string, unknown> {
  return {
    image: imageParts(o.image),
    replicas: o.replicas,
    secretNamespaces: [...o.secretNamespaces],
    adminTokenSecret: o.adminTokenSecret ?? '',
    // What init installs: no policy objects a cluster may not have the CRDs or controller for.
    networkPolicy: { enabled: false },
  };
}
