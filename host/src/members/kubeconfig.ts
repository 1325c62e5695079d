/**
 * The credential the host holds for a member: the kubeconfig in the Secret its MemberCluster
 * names (`heraldctl join` writes one for the member's herald-propagator ServiceAccount).
 */
import { KubeConfig } from '@kubernetes/client-node';
import type { MemberCluster } from '@herald/shared';
import { DEFAULT_SECRET_NAMESPACE } from '@herald/shared/credential';
import { rawRequest } from '@herald/shared/k8s';

export async function memberKubeConfig(host: KubeConfig, mc: MemberCluster): Promise<KubeConfig> {
  const ref = mc.spec.kubeconfigSecretRef;
  if (!ref) throw new Error('spec.kubeconfigSecretRef is not set');
  const ns = ref.namespace || DEFAULT_SECRET_NAMESPACE;
  const secret = JSON.parse(
    await rawRequest(host, 'GET', `/api/v1/namespaces/${ns}/secrets/${ref.name}`).catch(() => {
      throw new Error(`kubeconfig Secret ${ns}/${ref.name} not found on the host`);
    }),
  ) as { data?: Record<string, string> };
  const encoded = secret.data?.[ref.key];
  if (!encoded) throw new Error(`kubeconfig Secret ${ns}/${ref.name} has no key ${ref.key}`);
  const kc = new KubeConfig();
  kc.loadFromString(Buffer.from(encoded, 'base64').toString('utf8'));
  return kc;
}
