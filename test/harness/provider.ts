/**
 * Which control planes the integration tests run on: `binary` (default: kube-apiserver and etcd
 * built from Go modules) or `k3s` (real k3s clusters through testcontainers; needs Docker).
 */
import { existsSync } from 'node:fs';

export type Provider = 'binary' | 'k3s';

export function providerFromEnv(env: NodeJS.ProcessEnv = process.env): Provider {
  const value = env['HERALD_CLUSTER_PROVIDER'] ?? 'binary';
  if (value === 'binary') return value;
  if (value === 'k3s') {
    if (!dockerAvailable(env)) {
      throw new Error(
        'HERALD_CLUSTER_PROVIDER=k3s needs a Docker engine, and none was found ' +
          '(DOCKER_HOST is unset and /var/run/docker.sock does not exist). Unset it to use the built-in binary provider.',
      );
    }
    throw new Error('HERALD_CLUSTER_PROVIDER=k3s is not available yet: the k3s provider has not landed');
  }
  throw new Error(`HERALD_CLUSTER_PROVIDER=${value} is not a provider; use binary or k3s`);
}

function dockerAvailable(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env['DOCKER_HOST']) || existsSync('/var/run/docker.sock');
}
