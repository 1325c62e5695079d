import { describe, expect, it } from 'vitest';
import { providerFromEnv } from './provider.js';
import { requireDocker } from './k3s.js';
import { getContainerRuntimeClient } from 'testcontainers';

const dockerReachable = await getContainerRuntimeClient().then(
  () => true,
  () => false,
);

describe('cluster provider selection', () => {
  it.each([
    [{}, 'binary'],
    [{ HERALD_CLUSTER_PROVIDER: 'binary' }, 'binary'],
    [{ HERALD_CLUSTER_PROVIDER: 'k3s' }, 'k3s'],
  ])('%j → %s', (env, want) => expect(providerFromEnv(env)).toBe(want));

  it('refuses an unknown provider by name', () => {
    expect(() => providerFromEnv({ HERALD_CLUSTER_PROVIDER: 'kind' })).toThrow(
      'HERALD_CLUSTER_PROVIDER=kind is not a provider; use binary or k3s',
    );
  });

  it.skipIf(dockerReachable)('asking for k3s without Docker fails with a clear message', async () => {
    await expect(requireDocker()).rejects.toThrow(/HERALD_CLUSTER_PROVIDER=k3s needs a Docker engine, and testcontainers found none/);
  });
});
