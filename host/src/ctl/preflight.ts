/**
 * What `heraldctl join` checks on the host before it touches the member: that Herald's CRDs are
 * served (MemberCluster at least) and that the caller may do what join does there, asked with
 * SelfSubjectAccessReviews. Decisions are pure; the two requests are at the bottom.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { GROUP, VERSION } from '@herald/shared';
import { KubeError, rawRequest } from '@herald/shared/k8s';
import { CLUSTERS_NAMESPACE } from '../propagation/secret-policy.js';
import { NAMESPACE } from './rbac.js';

export interface Access {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
}

/** What join does on the host: namespaces herald-system and herald-clusters, the kubeconfig Secret, the MemberCluster (all server-side applied). */
export const JOIN_HOST_ACCESS: readonly Access[] = [
  ...['get', 'create', 'patch'].map((verb) => ({ verb, group: GROUP, resource: 'memberclusters' })),
  ...['create', 'patch'].map((verb) => ({ verb, group: '', resource: 'namespaces' })),
  ...['get', 'create', 'patch'].map((verb) => ({ verb, group: '', resource: 'secrets', namespace: CLUSTERS_NAMESPACE })),
];

const canI = (a: Access): string => `kubectl auth can-i ${a.verb} ${a.group ? `${a.resource}.${a.group}` : a.resource}${a.namespace ? ` -n ${a.namespace}` : ''}`;

/** The problem when the host does not serve MemberCluster (`resources` undefined: no herald.dev group at all). */
export function crdProblem(resources: readonly string[] | undefined): string | undefined {
  if (resources?.includes('memberclusters')) return undefined;
  const what = resources === undefined ? `the host serves no ${GROUP}/${VERSION} API` : `the host serves ${GROUP}/${VERSION} but not memberclusters`;
  return `${what}: install Herald on the host first (heraldctl init, helm install herald charts/herald, or kubectl apply -f crds/), then re-run join`;
}

/** One line per action the caller may not take, with the kubectl command that shows it. */
export function accessProblems(checks: readonly Access[], allowed: readonly boolean[]): string[] {
  return checks.flatMap((a, i) => (allowed[i] ? [] : [`you may not ${a.verb} ${a.group ? `${a.resource}.${a.group}` : a.resource}${a.namespace ? ` in ${a.namespace}` : ''} (${canI(a)})`]));
}

async function servedResources(kc: KubeConfig): Promise<string[] | undefined> {
  try {
    const list = JSON.parse(await rawRequest(kc, 'GET', `/apis/${GROUP}/${VERSION}`, { timeoutMs: 10_000 })) as { resources?: { name: string }[] };
    return (list.resources ?? []).map((r) => r.name);
  } catch (err) {
    if (err instanceof KubeError && err.status === 404) return undefined;
    throw err;
  }
}

async function allowed(kc: KubeConfig, a: Access): Promise<boolean> {
  const review = { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: a } };
  const answer = JSON.parse(await rawRequest(kc, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { body: JSON.stringify(review), timeoutMs: 10_000 })) as { status?: { allowed?: boolean } };
  return answer.status?.allowed === true;
}

/** Throws, saying what to do, when join could not finish on the host; nothing is written. */
export async function checkHostForJoin(kc: KubeConfig): Promise<void> {
  const crds = crdProblem(await servedResources(kc));
  if (crds) throw new Error(crds);
  const answers = await Promise.all(JOIN_HOST_ACCESS.map((a) => allowed(kc, a)));
  const problems = accessProblems(JOIN_HOST_ACCESS, answers);
  if (problems.length > 0) throw new Error(`on the host, join would fail (nothing was changed):\n  ${problems.join('\n  ')}`);
}

/** Namespace herald-system on the member: absent, there, or being deleted (an earlier unjoin). */
export type NamespaceState = 'absent' | 'active' | 'terminating';

export async function namespaceState(kc: KubeConfig, name = NAMESPACE): Promise<NamespaceState> {
  try {
    const ns = JSON.parse(await rawRequest(kc, 'GET', `/api/v1/namespaces/${name}`, { timeoutMs: 10_000 })) as { metadata?: { deletionTimestamp?: string }; status?: { phase?: string } };
    return ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating' ? 'terminating' : 'active';
  } catch (err) {
    if (err instanceof KubeError && err.status === 404) return 'absent';
    throw err;
  }
}
