/**
 * Asking several members' agents at once: a few at a time, each with its own deadline, so a
 * member that is down answers with its error and holds nobody else up.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { API_VERSION, type MemberCluster } from '@herald/shared';
import { rawRequest } from '@herald/shared/k8s';
import { callAgent, type AgentAnswer, type AgentRequest } from './agent-call.js';
import { memberKubeConfig } from './kubeconfig.js';

export type MemberAnswer = { cluster: string; answer: AgentAnswer } | { cluster: string; error: string };

/** Members asked at once. */
const AT_ONCE = 8;

export async function listMembers(host: KubeConfig): Promise<MemberCluster[]> {
  return (JSON.parse(await rawRequest(host, 'GET', `/apis/${API_VERSION}/memberclusters`)) as { items: MemberCluster[] }).items;
}

/** One member's agent, its failure as a message. */
export async function askMember(host: KubeConfig, mc: MemberCluster, req: AgentRequest): Promise<MemberAnswer> {
  const cluster = mc.metadata.name;
  try {
    return { cluster, answer: await callAgent(await memberKubeConfig(host, mc), req) };
  } catch (err) {
    return { cluster, error: (err as Error).message };
  }
}

/** Each member's answer to its request, in the members' order. */
export async function askMembers(host: KubeConfig, members: readonly MemberCluster[], request: (mc: MemberCluster) => AgentRequest): Promise<MemberAnswer[]> {
  const out: MemberAnswer[] = new Array<MemberAnswer>(members.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < members.length) {
      const i = next++;
      const mc = members[i] as MemberCluster;
      out[i] = await askMember(host, mc, request(mc));
    }
  };
  await Promise.all(Array.from({ length: Math.min(AT_ONCE, members.length) }, worker));
  return out;
}
