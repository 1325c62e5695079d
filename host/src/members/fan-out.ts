/**
 * Asking several members' agents at once: a few at a time, each with its own deadline, so a
 * member that is down answers with its error and holds nobody else up.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { MemberCluster } from '@herald/shared';
import { eachLimited } from '../each-limited.js';
import { callAgent, type AgentAnswer, type AgentRequest } from './agent-call.js';
import { memberKubeConfig } from './kubeconfig.js';

export type MemberAnswer = { cluster: string; answer: AgentAnswer } | { cluster: string; error: string };

/** Members asked at once. */
const AT_ONCE = 8;

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
  await eachLimited(members, AT_ONCE, async (mc, i) => {
    out[i] = await askMember(host, mc, request(mc));
  });
  return out;
}
