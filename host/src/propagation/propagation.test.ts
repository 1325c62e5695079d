import { describe, expect, it } from 'vitest';
import type { PropagationPolicy } from '@herald/shared';
import { applyOverrides } from './overrides.js';
import { placementFor } from './placement.js';
import { desiredFor, MANAGED_BY_LABEL, type HostObject, type HostSecret } from './render.js';
import type { SecretRules } from './secret-policy.js';

const members: { name: string; labels: Record<string, string> }[] = [
  { name: 'member-a', labels: { env: 'prod', region: 'eu' } },
  { name: 'member-b', labels: { env: 'prod', region: 'us' } },
  { name: 'member-c', labels: { env: 'dev' } },
];
const policy = (name: string, spec: PropagationPolicy['spec']): PropagationPolicy => ({ apiVersion: 'herald.dev/v1alpha1', kind: 'PropagationPolicy', metadata: { name }, spec });
const slackTo = policy('slack', {
  resourceSelectors: [{ kind: 'Receiver', name: 'slack' }],
  placement: { clusterSelector: { matchLabels: { env: 'prod' } } },
  overrides: [{ clusterNames: ['member-b'], patches: [{ op: 'replace', path: '/spec/slack/channels/0', value: '#b' }] }],
});

describe('placementFor', () => {
  it.each<[string, PropagationPolicy[], { kind: 'Receiver'; name: string; labels: Record<string, string> }, string[]]>([
    ['no policy selects it: every member', [], { kind: 'Receiver', name: 'x', labels: {} }, ['member-a', 'member-b', 'member-c']],
    ['a policy by name and cluster selector', [slackTo], { kind: 'Receiver', name: 'slack', labels: {} }, ['member-a', 'member-b']],
    ['another object is not selected by it', [slackTo], { kind: 'Receiver', name: 'other', labels: {} }, ['member-a', 'member-b', 'member-c']],
    ['by label selector, names and exclude', [policy('p', { resourceSelectors: [{ kind: 'Receiver', labelSelector: { matchLabels: { team: 'a' } } }], placement: { clusterNames: ['member-a', 'member-c'], exclude: ['member-c'] } })], { kind: 'Receiver', name: 'r', labels: { team: 'a' } }, ['member-a']],
    ['two policies: the union', [slackTo, policy('dev', { resourceSelectors: [{ kind: 'Receiver', name: 'slack' }], placement: { clusterNames: ['member-c'] } })], { kind: 'Receiver', name: 'slack', labels: {} }, ['member-a', 'member-b', 'member-c']],
    ['a policy selecting nothing here places nothing', [policy('none', { resourceSelectors: [{ kind: 'Receiver', name: 'r' }], placement: { clusterNames: ['nowhere'] } })], { kind: 'Receiver', name: 'r', labels: {} }, []],
  ])('%s', (_name, policies, o, want) => expect(placementFor(o, policies, members).members).toEqual(want));

  it('gives overrides only to the members they name', () => {
    const p = placementFor({ kind: 'Receiver', name: 'slack', labels: {} }, [slackTo], members);
    expect([...p.overrides.keys()]).toEqual(['member-b']);
    expect(p.policies).toEqual(['slack']);
  });
});

describe('applyOverrides', () => {
  const obj = { kind: 'Receiver', metadata: { name: 'r' }, spec: { slack: { channels: ['#a'] } } };
  it('applies RFC 6902 operations to a copy', () => {
    const r = applyOverrides(obj, [{ op: 'replace', path: '/spec/slack/channels/0', value: '#b' }, { op: 'add', path: '/spec/slack/channels/-', value: '#c' }]);
    expect(r).toEqual({ ok: true, object: { ...obj, spec: { slack: { channels: ['#b', '#c'] } } } });
    expect(obj.spec.slack.channels).toEqual(['#a']);
  });
  it.each<[string, Parameters<typeof applyOverrides>[1], string]>([
    ['a path that is not there', [{ op: 'replace', path: '/spec/email/to', value: [] }], 'patch 0 (replace /spec/email/to)'],
    ['a failed test', [{ op: 'test', path: '/spec/slack/channels/0', value: '#z' }], 'patch 0 (test /spec/slack/channels/0)'],
    ['add without a value', [{ op: 'add', path: '/spec/x' }], 'add needs a value'],
    ['renaming the object', [{ op: 'replace', path: '/metadata/name', value: 'other' }], 'cannot change kind, apiVersion or name'],
  ])('refuses %s, naming the operation', (_name, patches, message) => {
    const r = applyOverrides(obj, patches);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toContain(message);
  });
});

describe('desiredFor', () => {
  const objects: HostObject[] = [
    { apiVersion: 'herald.dev/v1alpha1', kind: 'Receiver', metadata: { name: 'slack', generation: 3, labels: { type: 'global' } }, spec: { slack: { channels: ['#a'] } } },
    { apiVersion: 'herald.dev/v1alpha1', kind: 'Config', metadata: { name: 'smtp', generation: 1 }, spec: { email: { from: 'a@b.c', smartHost: { host: 'h', port: 25 }, authPassword: { valueFrom: { secretKeyRef: { name: 'smtp', key: 'password' } } } } } },
    { apiVersion: 'herald.dev/v1alpha1', kind: 'Settings', metadata: { name: 'default', generation: 2 }, spec: { stampLabels: ['region'], cluster: { name: 'lies' } } },
  ];
  const secrets: HostSecret[] = [
    { metadata: { name: 'smtp', namespace: 'herald-system' }, data: { password: 'cHc=' } },
    { metadata: { name: 'unrelated', namespace: 'herald-system' }, data: { x: 'eA==' } },
  ];
  const member = { name: 'member-b', labels: { env: 'prod', region: 'us' }, identityLabels: { dc: 'dc2' }, secretNamespaces: ['herald-system', 'team-a'] };
  const rules: SecretRules = { allowed: ['herald-system', 'team-a', 'team-b'], kubeconfigs: new Map([['herald-system/member-a-kubeconfig', 'member-a']]) };
  const d = desiredFor({ member, members, objects, policies: [slackTo], secrets, rules });
  const find = (kind: string, name: string) => d.objects.find((o) => o.kind === kind && o.metadata.name === name);

  it('applies the member’s overrides and marks every copy as Herald’s', () => {
    expect(find('Receiver', 'slack')?.spec).toEqual({ slack: { channels: ['#b'] } });
    expect(find('Receiver', 'slack')?.metadata.labels).toEqual({ type: 'global', [MANAGED_BY_LABEL]: 'herald' });
  });
  it('writes the member’s own identity into Settings over whatever the host said', () => {
    expect(find('Settings', 'default')?.spec?.['cluster']).toEqual({ name: 'member-b', labels: { region: 'us', dc: 'dc2' } });
  });
  it('carries only the Secrets that placed objects reference', () => {
    expect(d.objects.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name)).toEqual(['smtp']);
    expect(d.outcomes.find((o) => o.kind === 'Config')?.secrets).toEqual(['herald-system/smtp']);
  });
  it('marks a Secret copy as Herald’s: its label and the host Secret it copies', () => {
    expect(find('Secret', 'smtp')?.metadata).toEqual({
      name: 'smtp',
      namespace: 'herald-system',
      labels: { [MANAGED_BY_LABEL]: 'herald' },
      annotations: { 'herald.dev/copied-from': 'herald-system/smtp' },
    });
  });
  it('synthesizes Settings with the identity when the host has none', () => {
    const none = desiredFor({ member, members, objects: [], policies: [], secrets: [], rules });
    expect(none.objects).toHaveLength(1);
    expect(none.objects[0]?.spec?.['cluster']).toEqual({ name: 'member-b', labels: { dc: 'dc2' } });
  });
  it('reports an override that fails instead of applying a half-patched object', () => {
    const bad = policy('bad', { resourceSelectors: [{ kind: 'Receiver', name: 'slack' }], overrides: [{ clusterNames: ['member-b'], patches: [{ op: 'remove', path: '/spec/webhook' }] }] });
    const r = desiredFor({ member, members, objects, policies: [bad], secrets, rules });
    expect(r.objects.some((o) => o.kind === 'Receiver')).toBe(false);
    expect(r.outcomes.find((o) => o.kind === 'Receiver')?.error?.state).toBe('ApplyOverridesFailed');
  });
  it('names a referenced Secret the host lacks', () => {
    const r = desiredFor({ member, members, objects, policies: [], secrets: [], rules });
    expect(r.outcomes.find((o) => o.kind === 'Config')?.missingSecrets).toEqual(['herald-system/smtp']);
  });

  describe('refuses a Secret the rules do not allow: the referencing object is not placed, and says why', () => {
    const ref = (namespace: string, name: string) => ({ valueFrom: { secretKeyRef: { namespace, name, key: 'k' } } });
    const tenant = (spec: Record<string, unknown>): HostObject => ({ apiVersion: 'herald.dev/v1alpha1', kind: 'Config', metadata: { name: 'c', labels: { type: 'tenant', namespace: 'team-a' } }, spec });
    const slackWith = (token: ReturnType<typeof ref>): HostObject => tenant({ slack: { slackTokenSecret: token } });
    const hostSecrets: HostSecret[] = [
      { metadata: { name: 'admin-token', namespace: 'kube-system' }, data: { k: 'eA==' } },
      { metadata: { name: 'member-a-kubeconfig', namespace: 'herald-system' }, data: { k: 'eA==' } },
      { metadata: { name: 'sa-token', namespace: 'herald-system' }, type: 'kubernetes.io/service-account-token' },
      { metadata: { name: 'b', namespace: 'team-b' }, data: { k: 'eA==' } },
      { metadata: { name: 'ok', namespace: 'team-a' }, data: { k: 'eA==' } },
    ];
    it.each<[string, HostObject, string]>([
      ['outside the allowed namespaces', slackWith(ref('kube-system', 'admin-token')), 'Secret kube-system/admin-token is not in an allowed namespace (herald-host --secret-namespace: herald-system, team-a, team-b)'],
      ['a MemberCluster’s kubeconfig, though in an allowed namespace', slackWith(ref('herald-system', 'member-a-kubeconfig')), "Secret herald-system/member-a-kubeconfig is the kubeconfig of MemberCluster member-a; Herald never propagates a member's credentials"],
      ['a ServiceAccount token', slackWith(ref('herald-system', 'sa-token')), 'Secret herald-system/sa-token is of type kubernetes.io/service-account-token; Herald never propagates ServiceAccount tokens'],
      ['in a namespace the member does not let Herald write', slackWith(ref('team-b', 'b')), 'Secret team-b/b: member-b lets Herald write Secrets only in herald-system, team-a (MemberCluster spec.secretNamespaces); re-run heraldctl join member-b … --secret-namespace team-b'],
      ['not a Secret name', slackWith(ref('team-a', '../x')), 'Secret "team-a/../x" does not name a Secret (a DNS subdomain)'],
    ])('%s', (_name, object, message) => {
      const r = desiredFor({ member, members, objects: [object], policies: [], secrets: hostSecrets, rules });
      expect(r.outcomes.find((o) => o.kind === 'Config')).toMatchObject({ error: { state: 'ApplyFailed', message } });
      expect(r.objects.filter((o) => o.kind !== 'Settings')).toEqual([]);
    });
    it('names every refused Secret, and carries none of its Secrets, not even the allowed ones', () => {
      const spec = { slack: { slackTokenSecret: ref('team-a', 'ok') }, email: { authPassword: ref('kube-system', 'admin-token'), authSecret: ref('herald-system', 'member-a-kubeconfig') } };
      const r = desiredFor({ member, members, objects: [tenant(spec)], policies: [], secrets: hostSecrets, rules });
      const message = r.outcomes.find((o) => o.kind === 'Config')?.error?.message ?? '';
      expect(message).toContain('Secret kube-system/admin-token is not in an allowed namespace');
      expect(message).toContain('Secret herald-system/member-a-kubeconfig is the kubeconfig of MemberCluster member-a');
      expect(r.objects.map((o) => o.kind)).toEqual(['Settings']);
    });
  });
});
