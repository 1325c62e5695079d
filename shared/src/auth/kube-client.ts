/** A KubeReviewer that asks the API server of a kubeconfig (its identity needs `create` on tokenreviews and subjectaccessreviews). */
import type { KubeConfig } from '@kubernetes/client-node';
import { rawRequest } from '../k8s/raw.js';
import { KubeReviewer } from './kube-review.js';

/** Answers are kept `cacheSeconds` (a refusal at most 10 s): a revoked grant shows within that. */
export function kubeReviewer(kc: KubeConfig, cacheSeconds: number): KubeReviewer {
  return new KubeReviewer({
    post: async (path, body) => JSON.parse(await rawRequest(kc, 'POST', path, { body: JSON.stringify(body), timeoutMs: 5000 })) as unknown,
    ttlMs: cacheSeconds * 1000,
    negativeTtlMs: Math.min(cacheSeconds, 10) * 1000,
  });
}
