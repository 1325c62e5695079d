import { describe, expect, it } from 'vitest';
import { badSecretNamespaces, isHeraldsSecret, kubeconfigSecrets, readableRefs, refusedForMember, secretWriteMessage, type SecretRules } from './secret-policy.js';

const rules: SecretRules = { allowed: ['herald-system', 'apps'], kubeconfigs: kubeconfigSecrets([
  { metadata: { name: 'member-a' }, spec: { kubeconfigSecretRef: { namespace: 'herald-clusters', name: 'member-a-kubeconfig' } } },
  // Registered before kubeconfigs had a namespace of their own: the default namespace.
  { metadata: { name: 'member-b' }, spec: { kubeconfigSecretRef: { name: 'member-b-kubeconfig' } } },
  { metadata: { name: 'member-c' }, spec: {} },
]) };

describe('badSecretNamespaces', () => {
  it('refuses the kubeconfigs’ namespace, naming why', () => {
    expect(badSecretNamespaces(['herald-system', 'herald-clusters'])).toBe(
      "--secret-namespace herald-clusters is refused: it holds the MemberClusters' kubeconfig Secrets, which no Herald object may reference",
    );
  });
  it('refuses what is no namespace name, and accepts the rest', () => {
    expect(badSecretNamespaces(['Team_A'])).toContain('--secret-namespace "Team_A" is not a namespace name');
    expect(badSecretNamespaces(['herald-system', 'team-a'])).toBeUndefined();
  });
});

describe('readableRefs', () => {
  it('leaves out, before anything is read, other namespaces and every MemberCluster’s kubeconfig', () => {
    const refs = [
      { namespace: 'herald-system', name: 'smtp' },
      { namespace: 'apps', name: 'db-tls' },
      { namespace: 'kube-system', name: 'admin-token' },
      { namespace: 'herald-clusters', name: 'member-a-kubeconfig' },
      { namespace: 'herald-system', name: 'member-b-kubeconfig' },
      { namespace: 'herald-system', name: 'x/../../kube-system/secrets/admin-token' },
    ];
    expect(readableRefs(refs, rules)).toEqual([{ namespace: 'herald-system', name: 'smtp' }, { namespace: 'apps', name: 'db-tls' }]);
  });
});

describe('refusedForMember', () => {
  it('allows only the namespaces the member lists, and says how to add one', () => {
    const member = { name: 'member-a', secretNamespaces: ['herald-system'] };
    expect(refusedForMember({ namespace: 'herald-system', name: 's' }, member)).toBeUndefined();
    expect(refusedForMember({ namespace: 'apps', name: 's' }, member)).toBe(
      'Secret apps/s: member-a lets Herald write Secrets only in herald-system (MemberCluster spec.secretNamespaces); re-run heraldctl join member-a … --secret-namespace apps',
    );
  });
});

describe('isHeraldsSecret', () => {
  const ref = { namespace: 'apps', name: 'db-tls' };
  const label = { 'app.kubernetes.io/managed-by': 'herald' };
  it.each<[string, { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined, boolean]>([
    ['its label and the annotation naming the host Secret', { labels: label, annotations: { 'herald.dev/copied-from': 'apps/db-tls' } }, true],
    ['labelled by hand, without the annotation', { labels: label }, false],
    ['an annotation naming another Secret', { labels: label, annotations: { 'herald.dev/copied-from': 'apps/other' } }, false],
    ['the annotation without the label', { annotations: { 'herald.dev/copied-from': 'apps/db-tls' } }, false],
    ['no metadata', undefined, false],
  ])('%s', (_name, metadata, want) => expect(isHeraldsSecret(ref, metadata)).toBe(want));
});

describe('secretWriteMessage', () => {
  const ref = { namespace: 'team-z', name: 'token' };
  it('says what a 403 or a missing namespace means and how to fix it', () => {
    expect(secretWriteMessage(ref, 'member-a', 403, 'forbidden')).toBe(
      'Secret team-z/token: member-a forbids herald-propagator to write Secrets in team-z (403); re-run heraldctl join member-a … --secret-namespace team-z',
    );
    expect(secretWriteMessage(ref, 'member-a', 404, 'not found')).toContain('namespace team-z does not exist on member-a');
    expect(secretWriteMessage(ref, 'member-a', 500, 'etcd timeout')).toBe('Secret team-z/token could not be written on member-a: etcd timeout');
  });
});
