/** A kubeconfig that reaches one cluster with one bearer token (pure). */
import { stringify } from 'yaml';

export interface ClusterEndpoint {
  server: string;
  /** PEM of the CA, base64-encoded as kubeconfig wants it. */
  caData?: string;
  tlsServerName?: string;
  insecureSkipTlsVerify?: boolean;
}

export function tokenKubeconfig(args: { cluster: string; endpoint: ClusterEndpoint; user: string; token: string }): string {
  const { cluster, endpoint, user, token } = args;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: cluster,
        cluster: {
          server: endpoint.server,
          ...(endpoint.caData ? { 'certificate-authority-data': endpoint.caData } : {}),
          ...(endpoint.tlsServerName ? { 'tls-server-name': endpoint.tlsServerName } : {}),
          ...(endpoint.insecureSkipTlsVerify ? { 'insecure-skip-tls-verify': true } : {}),
        },
      },
    ],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: `${user}@${cluster}`, context: { cluster, user } }],
    'current-context': `${user}@${cluster}`,
  });
}
