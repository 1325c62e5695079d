/**
 * Where the controller places a host object, read from the host: its PropagationPolicies and the
 * registered members, through the same placementFor the controller uses.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { API_VERSION, type MemberCluster, type PropagationPolicy } from '@herald/shared';
import { rawRequest } from '@herald/shared/k8s';
import { placementFor, type ObjectRef } from '../propagation/placement.js';

export async function listMembers(host: KubeConfig): Promise<MemberCluster[]> {
  return (JSON.parse(await rawRequest(host, 'GET', `/apis/${API_VERSION}/memberclusters`)) as { items: MemberCluster[] }).items;
}

/** The members the object goes to, and the policies that selected it (none: every member). */
export async function placedMembers(host: KubeConfig, o: ObjectRef): Promise<{ members: MemberCluster[]; policies: string[] }> {
  const [policies, members] = await Promise.all([
    rawRequest(host, 'GET', `/apis/${API_VERSION}/propagationpolicies`).then((t) => (JSON.parse(t) as { items: PropagationPolicy[] }).items),
    listMembers(host),
  ]);
  const placement = placementFor(o, policies, members.map((m) => ({ name: m.metadata.name, labels: m.metadata.labels ?? {} })));
  const byName = new Map(members.map((m) => [m.metadata.name, m]));
  return { members: placement.members.flatMap((name) => byName.get(name) ?? []), policies: placement.policies };
}
