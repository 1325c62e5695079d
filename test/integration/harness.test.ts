import { CoreV1Api, KubeConfig, VersionApi } from '@kubernetes/client-node';
import { describe, expect, inject, it } from 'vitest';

const kubeconfigs = inject('kubeconfigs');
const kc = (name: string): KubeConfig => {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfigs[name] as string);
  return config;
};

describe('harness control planes', () => {
  it('runs a host and two members, each a real kube-apiserver', async () => {
    expect(Object.keys(kubeconfigs).sort()).toEqual(['host', 'member-a', 'member-b']);
    for (const name of Object.keys(kubeconfigs)) {
      const version = await kc(name).makeApiClient(VersionApi).getCode();
      expect(version.gitVersion).toBe('v1.35.4');
    }
  });

  it('keeps clusters apart: an object in one is absent from the others', async () => {
    const name = `isolation-${Date.now()}`;
    await kc('member-a').makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
    const read = (cluster: string) =>
      kc(cluster).makeApiClient(CoreV1Api).readNamespace({ name }).then(() => true, () => false);
    expect(await read('member-a')).toBe(true);
    expect(await read('member-b')).toBe(false);
    expect(await read('host')).toBe(false);
  });

  it('enforces RBAC: an unknown token is refused', async () => {
    const config = kc('host');
    const user = config.getCurrentUser();
    if (user) Object.assign(user, { token: 'not-a-token' });
    await expect(config.makeApiClient(CoreV1Api).listNamespace()).rejects.toMatchObject({ code: 401 });
  });
});
