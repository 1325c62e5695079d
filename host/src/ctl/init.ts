/**
 * `heraldctl init`: installs the host side of Herald for a quick start — every Herald CRD, the
 * herald-system and herald-clusters namespaces, the herald-host ServiceAccount with its
 * least-privilege RBAC, its Deployment, Service and PodDisruptionBudget — from the one definition
 * in host-manifests.ts that charts/herald also renders. Re-running it is safe (server-side apply)
 * and upgrades what it installed, CRDs included; a namespace no longer given as --secret-namespace
 * loses the host's Secret grant there.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { applyObject, KubeError, rawRequest } from '@herald/shared/k8s';
import { badSecretNamespaces } from '../propagation/secret-policy.js';
import { HOST, hostManifests, type HostInstall } from './host-manifests.js';
import { FIELD_MANAGER, waitEstablished } from './join.js';
import type { Manifest } from './manifests.js';
import { NAMESPACE } from './rbac.js';

export interface InitOptions extends HostInstall {
  host: KubeConfig;
  say: (line: string) => void;
}

/** The secret namespaces that are not there: the host reads its users' Secrets there, it does not make them. */
async function missingNamespaces(kc: KubeConfig, namespaces: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const ns of namespaces.filter((n) => n !== NAMESPACE)) {
    await rawRequest(kc, 'GET', `/api/v1/namespaces/${ns}`).catch((err: unknown) => {
      if (!(err instanceof KubeError && err.status === 404)) throw err;
      missing.push(ns);
    });
  }
  return missing;
}

/**
 * Removes herald-host's Secret grants from namespaces no longer given: a namespace dropped from
 * --secret-namespace loses the host's access (apply alone never removes anything).
 */
async function revokeOldSecretGrants(kc: KubeConfig, keep: readonly string[]): Promise<string[]> {
  const selector = encodeURIComponent(`app.kubernetes.io/name=${HOST}`);
  const revoked: string[] = [];
  for (const kind of ['rolebindings', 'roles']) {
    const list = JSON.parse(await rawRequest(kc, 'GET', `/apis/rbac.authorization.k8s.io/v1/${kind}?labelSelector=${selector}`)) as { items: { metadata: { name: string; namespace: string } }[] };
    for (const { metadata: m } of list.items) {
      if (m.name !== `${HOST}-secrets` || keep.includes(m.namespace)) continue;
      await rawRequest(kc, 'DELETE', `/apis/rbac.authorization.k8s.io/v1/namespaces/${m.namespace}/${kind}/${m.name}`).catch((err: unknown) => {
        if (!(err instanceof KubeError && err.status === 404)) throw err;
      });
      if (kind === 'roles') revoked.push(m.namespace);
    }
  }
  return revoked;
}

const idOf = (m: Manifest): string => `${m.kind}/${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name}`;

export async function init(o: InitOptions): Promise<void> {
  const bad = badSecretNamespaces(o.secretNamespaces);
  if (bad) throw new Error(bad);
  await rawRequest(o.host, 'GET', '/version', { timeoutMs: 10_000 }).catch((err: unknown) => {
    throw new Error(`cannot reach the host cluster: ${(err as Error).message}`);
  });
  const missing = await missingNamespaces(o.host, o.secretNamespaces);
  if (missing.length > 0) throw new Error(`--secret-namespace ${missing.join(', ')}: no such namespace on the host; create it first (the Secrets Herald objects reference live there)`);
  const manifests = hostManifests(o);
  const crds = manifests.filter((m) => m.kind === 'CustomResourceDefinition');
  for (const m of crds) await applyObject(o.host, m, { fieldManager: FIELD_MANAGER });
  await waitEstablished(o.host, crds.map((c) => c.metadata.name));
  o.say(`host: ${crds.length} CRDs installed and Established`);
  const rest = manifests.filter((m) => m.kind !== 'CustomResourceDefinition');
  for (const m of rest) {
    await applyObject(o.host, m, { fieldManager: FIELD_MANAGER, plurals: { PodDisruptionBudget: 'poddisruptionbudgets' } }).catch((err: unknown) => {
      throw new Error(`${idOf(m)}: ${(err as Error).message}`);
    });
  }
  o.say(`host: ${rest.map(idOf).join(', ')} applied`);
  const revoked = await revokeOldSecretGrants(o.host, o.secretNamespaces);
  if (revoked.length > 0) o.say(`host: herald-host may no longer read Secrets in ${revoked.join(', ')} (not a --secret-namespace now)`);
  o.say(`host: herald-host (${o.image}, ${o.replicas} replica${o.replicas === 1 ? '' : 's'}) reads referenced Secrets only in ${[...new Set(o.secretNamespaces)].join(', ')}`);
  o.say('next: register a member with heraldctl join NAME --host-kubeconfig … --member-kubeconfig …');
}
