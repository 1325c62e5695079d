/** Kubeconfig for a harness cluster: its serving certificate as CA and an admin bearer token. */
import { stringify } from 'yaml';

export function kubeconfigYaml({ name, server, caPem, token }: { name: string; server: string; caPem: string; token: string }): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    users: [{ name: `${name}-admin`, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-admin` } }],
    'current-context': name,
  });
}
