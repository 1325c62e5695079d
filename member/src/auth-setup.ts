/**
 * Who may call the agent, from its flags: static token files (ingest; admin, which also reads
 * /metrics), Kubernetes ServiceAccount tokens checked with TokenReview and SubjectAccessReview
 * (in a cluster, unless turned off), and anonymous ingest only when asked for by name.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeReviewer, StaticTokens, tokenFiles, type Authorizer } from '@herald/shared/auth';

export interface AuthFlags {
  ingestTokenFile?: string | undefined;
  adminTokenFile?: string | undefined;
  /** Review Kubernetes tokens against this cluster. */
  kube?: KubeConfig | undefined;
  anonymousIngest: boolean;
  /** How long a Kubernetes review's answer is kept (a refusal at most 10 s). */
  cacheSeconds: number;
  log: (message: string) => void;
}

/** The authorizer and what to warn about at start; throws when nothing could authenticate ingest. */
export function agentAuthorizer(f: AuthFlags): { auth: Authorizer; warnings: string[] } {
  if (!f.ingestTokenFile && !f.kube && !f.anonymousIngest) {
    throw new Error(
      'nothing can authenticate alerts: give --ingest-token-file FILE (its token goes in Alertmanager\'s http_config.authorization), run in a cluster with --kube-auth true, or pass --allow-anonymous-ingest to accept alerts from anyone who can reach the port',
    );
  }
  const files = tokenFiles({ ingest: f.ingestTokenFile, admin: f.adminTokenFile });
  const tokens = files.length > 0 ? new StaticTokens(files, { log: f.log }) : undefined;
  const kc = f.kube;
  const kube = kc ? kubeReviewer(kc, f.cacheSeconds) : undefined;
  const warnings: string[] = [];
  if (f.anonymousIngest) warnings.push('--allow-anonymous-ingest: anyone who can reach this port can post alerts and audit events (and send them to any tenant)');
  if (!f.adminTokenFile && !kc) warnings.push('no --admin-token-file and no Kubernetes authentication: the admin routes (verify, history, dead letters) refuse every caller');
  return { auth: { tokens, kube, ...(f.anonymousIngest ? { anonymous: new Set(['ingest']) } : {}) }, warnings };
}
