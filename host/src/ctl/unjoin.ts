/**
 * `heraldctl unjoin`: unregisters a member from the host, then removes from the member what Herald
 * put there — the copies it propagated and the agent install. The host side goes first, so the
 * controller stops propagating before the copies are removed. A member that cannot be reached
 * blocks nothing with --force: the host side is removed and the member's leftovers are named.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { GROUP, KINDS, PROPAGATED_KINDS, VERSION, type MemberCluster } from '@herald/shared';
import { KubeError, rawRequest } from '@herald/shared/k8s';
import { CLUSTERS_NAMESPACE, isHeraldsSecret } from '../propagation/secret-policy.js';
import { COPY_LABEL } from './ingest-token.js';
import { memberManifests, PART_OF } from './manifests.js';
import { NAMESPACE } from './rbac.js';

export interface UnjoinOptions {
  name: string;
  host: KubeConfig;
  /** An admin kubeconfig of the member; without it only the host side is removed (needs force). */
  member?: KubeConfig;
  force: boolean;
  removeCrds: boolean;
  say: (line: string) => void;
}

const MANAGED = encodeURIComponent('app.kubernetes.io/managed-by=herald');
const PART_OF_SELECTOR = encodeURIComponent(Object.entries(PART_OF).map(([k, v]) => `${k}=${v}`).join(','));
const gone = (err: unknown): boolean => err instanceof KubeError && err.status === 404;

/** Deletes the object at a path (false when it was not there); --dry-run swaps in one that records. */
type Deleter = (kc: KubeConfig, path: string) => Promise<boolean>;

async function deleteNow(kc: KubeConfig, path: string): Promise<boolean> {
  try {
    await rawRequest(kc, 'DELETE', path, { timeoutMs: 10_000 });
    return true;
  } catch (err) {
    if (gone(err)) return false;
    throw err;
  }
}

type Listed = { metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> } };

async function listPaths(kc: KubeConfig, listPath: string, itemPath: (o: Listed) => string, keep: (o: Listed) => boolean = () => true): Promise<string[]> {
  const { items } = JSON.parse(await rawRequest(kc, 'GET', listPath, { timeoutMs: 10_000 })) as { items: Listed[] };
  return items.filter(keep).map(itemPath);
}

async function removeFromHost(o: UnjoinOptions, del: Deleter): Promise<void> {
  const mcPath = `/apis/${GROUP}/${VERSION}/memberclusters/${o.name}`;
  const mc = await rawRequest(o.host, 'GET', mcPath).then((t) => JSON.parse(t) as MemberCluster, (err: unknown) => {
    if (gone(err) && o.force) return undefined;
    throw gone(err) ? new Error(`${o.name} is not a MemberCluster on the host`) : err;
  });
  await del(o.host, mcPath);
  const ref = mc?.spec.kubeconfigSecretRef;
  const secret = ref ? `${ref.namespace || NAMESPACE}/${ref.name}` : `${CLUSTERS_NAMESPACE}/${o.name}-kubeconfig`;
  const [ns, name] = secret.split('/') as [string, string];
  await del(o.host, `/api/v1/namespaces/${ns}/secrets/${name}`);
  o.say(`host: MemberCluster ${o.name} and Secret ${secret} removed`);
}

/**
 * Deletes Herald's propagated copies (managed-by=herald; a Secret only with Herald's marks, so a
 * Secret labelled by hand stays) and the agent install, the propagator's Roles with it.
 */
async function removeFromMember(o: UnjoinOptions, kc: KubeConfig, del: Deleter): Promise<void> {
  const plural = (k: string): string => KINDS.find((d) => d.kind === k)?.plural ?? `${k.toLowerCase()}s`;
  const copies = (
    await Promise.all([
      ...PROPAGATED_KINDS.map((k) => listPaths(kc, `/apis/${GROUP}/${VERSION}/${plural(k)}?labelSelector=${MANAGED}`, (x) => `/apis/${GROUP}/${VERSION}/${plural(k)}/${x.metadata.name}`)),
      listPaths(
        kc,
        `/api/v1/secrets?labelSelector=${MANAGED}`,
        (x) => `/api/v1/namespaces/${x.metadata.namespace ?? ''}/secrets/${x.metadata.name}`,
        (x) => isHeraldsSecret({ namespace: x.metadata.namespace ?? '', name: x.metadata.name }, x.metadata),
      ),
    ])
  ).flat();
  for (const path of copies) await del(kc, path);
  o.say(`${o.name}: ${copies.length} propagated copies removed`);
  const tokens = await listPaths(kc, `/api/v1/secrets?labelSelector=${encodeURIComponent(`${COPY_LABEL}=true`)}`, (x) => `/api/v1/namespaces/${x.metadata.namespace ?? ''}/secrets/${x.metadata.name}`);
  for (const path of tokens) await del(kc, path);
  if (tokens.length > 0) o.say(`${o.name}: ${tokens.length} copies of the ingest token removed`);
  // Cluster-scoped RBAC and per-namespace Roles by label; the rest goes with the namespace.
  const rbac = (
    await Promise.all([
      listPaths(kc, `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings?labelSelector=${PART_OF_SELECTOR}`, (x) => `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${x.metadata.name}`),
      listPaths(kc, `/apis/rbac.authorization.k8s.io/v1/clusterroles?labelSelector=${PART_OF_SELECTOR}`, (x) => `/apis/rbac.authorization.k8s.io/v1/clusterroles/${x.metadata.name}`),
      listPaths(kc, `/apis/rbac.authorization.k8s.io/v1/rolebindings?labelSelector=${PART_OF_SELECTOR}`, (x) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${x.metadata.namespace ?? ''}/rolebindings/${x.metadata.name}`),
      listPaths(kc, `/apis/rbac.authorization.k8s.io/v1/roles?labelSelector=${PART_OF_SELECTOR}`, (x) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${x.metadata.namespace ?? ''}/roles/${x.metadata.name}`),
    ])
  ).flat();
  for (const path of rbac) await del(kc, path);
  await del(kc, `/api/v1/namespaces/${NAMESPACE}`);
  o.say(`${o.name}: agent RBAC (${rbac.length} objects) and namespace ${NAMESPACE} (agent, Service, data, Lease) removed`);
  if (!o.removeCrds) return o.say(`${o.name}: Herald's CRDs kept (objects created on the member itself stay); --remove-crds deletes them`);
  const crds = memberManifests({ cluster: o.name, image: '', secretNamespaces: [], storage: { kind: 'emptyDir' }, alertmanagers: [] }).filter((m) => m.kind === 'CustomResourceDefinition');
  for (const crd of crds) await del(kc, `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
  o.say(`${o.name}: ${crds.length} CRDs removed`);
}

async function reachable(o: UnjoinOptions): Promise<string | undefined> {
  return o.member
    ? await rawRequest(o.member, 'GET', '/version', { timeoutMs: 5000 }).then(() => undefined, (err: unknown) => (err as Error).message)
    : 'no --member-kubeconfig given';
}

export async function unjoin(o: UnjoinOptions, del: Deleter = deleteNow): Promise<void> {
  const reach = await reachable(o);
  if (reach !== undefined && !o.force) {
    throw new Error(`cannot clean up member ${o.name} (${reach}); --force unregisters it from the host anyway, leaving its agent and copies in place`);
  }
  await removeFromHost(o, del);
  if (reach === undefined && o.member) await removeFromMember(o, o.member, del);
  else o.say(`${o.name}: not cleaned (${reach}); left there: namespace ${NAMESPACE}, the herald-agent and herald-propagator RBAC, copies labelled app.kubernetes.io/managed-by=herald`);
  o.say(`${o.name} unjoined`);
}

const KIND_OF: Record<string, string> = { secrets: 'Secret', namespaces: 'Namespace', clusterroles: 'ClusterRole', clusterrolebindings: 'ClusterRoleBinding', roles: 'Role', rolebindings: 'RoleBinding', customresourcedefinitions: 'CustomResourceDefinition' };

const REST_PATH = /^\/(?:api\/(?<core>[^/]+)|apis\/(?<gv>[^/]+\/[^/]+))(?:\/namespaces\/(?<namespace>[^/]+))?\/(?<plural>[^/]+)\/(?<name>[^/]+)$/;

/** The object a REST path names, as a manifest stub (pure): /api/v1 or /apis/GROUP/VERSION, [namespaces/NS/]PLURAL/NAME. */
export function objectAt(path: string): { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } } {
  const g = REST_PATH.exec(path)?.groups ?? {};
  const plural = g['plural'] ?? '';
  const namespace = g['namespace'];
  return {
    apiVersion: g['core'] ?? g['gv'] ?? '',
    kind: KIND_OF[plural] ?? KINDS.find((k) => k.plural === plural)?.kind ?? plural,
    metadata: { name: g['name'] ?? path, ...(namespace ? { namespace } : {}) },
  };
}

/**
 * What unjoin would delete (--dry-run): it reads both clusters as unjoin does, deletes nothing,
 * and gives each object with the cluster it is on (annotation herald.dev/cluster: host or the member).
 */
export async function unjoinPlan(o: UnjoinOptions): Promise<unknown[]> {
  const found: unknown[] = [];
  const record: Deleter = (kc, path) => {
    const o2 = objectAt(path);
    found.push({ ...o2, metadata: { ...o2.metadata, annotations: { 'herald.dev/cluster': kc === o.host ? 'host' : o.name } } });
    return Promise.resolve(true);
  };
  await unjoin({ ...o, say: () => undefined }, record);
  return found;
}
