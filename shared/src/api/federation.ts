/** Host-only kinds: MemberCluster (a registered member) and PropagationPolicy (what goes where). */
import { Type, type Static } from '@sinclair/typebox';
import { described, Conditions, DeliveryHealth, LabelSelector, SecretKeyRef, StringEnum, StringMap, cel, type HeraldObject } from './common.js';

export const MemberClusterSpec = Type.Object({
  kubeconfigSecretRef: Type.Optional(
    described(SecretKeyRef, 'Secret key holding the kubeconfig the host uses to reach the member (push mode).'),
  ),
  identityLabels: Type.Optional(StringMap({ description: 'Extra labels stamped on this member’s notifications.' })),
  paused: Type.Optional(Type.Boolean({ description: 'Stop propagating to this member.' })),
  secretNamespaces: Type.Optional(
    Type.Array(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 }), {
      maxItems: 100,
      'x-kubernetes-list-type': 'set',
      description:
        'Namespaces on the member where the host may write the Secrets Herald objects reference (heraldctl join gives herald-propagator a Role in each: herald-system and every --secret-namespace); default herald-system.',
    }),
  ),
});

export const MemberClusterStatus = Type.Object({
  observedGeneration: Type.Optional(Type.Integer({ minimum: 0, format: 'int64' })),
  conditions: Type.Optional(Conditions),
  kubernetesVersion: Type.Optional(Type.String({ maxLength: 64 })),
  lastHeartbeatTime: Type.Optional(Type.String({ format: 'date-time' })),
  delivery: Type.Optional(DeliveryHealth),
});
export type MemberClusterSpec = Static<typeof MemberClusterSpec>;
export type MemberClusterStatus = Static<typeof MemberClusterStatus>;
export type MemberCluster = HeraldObject<'MemberCluster', MemberClusterSpec, MemberClusterStatus>;

export const PROPAGATED_KINDS = ['Config', 'Receiver', 'Router', 'Silence', 'InhibitRule', 'Template', 'Rule', 'Settings'] as const;
export type PropagatedKind = (typeof PROPAGATED_KINDS)[number];

export const PATCH_OPS = ['add', 'remove', 'replace', 'move', 'copy', 'test'] as const;

export const JsonPatchOperation = Type.Object(
  {
    op: StringEnum(PATCH_OPS),
    path: Type.String({ pattern: '^(/[^/]*)+$', maxLength: 1024, description: 'JSON pointer into the object.' }),
    from: Type.Optional(Type.String({ pattern: '^(/[^/]*)+$', maxLength: 1024 })),
    // A patch value is any JSON by RFC 6902, so this one field keeps unknown fields.
    value: Type.Optional(Type.Unknown({ 'x-kubernetes-preserve-unknown-fields': true })),
  },
  // CEL cannot see the untyped value, so "add, replace and test need a value" is checked by the host.
  cel({ rule: "!(self.op in ['move', 'copy']) || has(self.from)", message: 'move and copy need from', fieldPath: '.from' }),
);
export type JsonPatchOperation = Static<typeof JsonPatchOperation>;

const ClusterNames = (description: string) =>
  Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 253 }), { maxItems: 1000, description }));

export const PropagationPolicySpec = Type.Object({
  resourceSelectors: Type.Array(
    Type.Object({
      kind: StringEnum(PROPAGATED_KINDS),
      name: Type.Optional(Type.String({ minLength: 1, maxLength: 253 })),
      labelSelector: Type.Optional(LabelSelector('Objects of this kind whose labels match.')),
    }),
    { minItems: 1, maxItems: 100, description: 'Objects this policy places; an object no policy selects goes everywhere.' },
  ),
  placement: Type.Optional(
    Type.Object({
      clusterNames: ClusterNames('Members by name.'),
      clusterSelector: Type.Optional(LabelSelector('Members by label.')),
      exclude: ClusterNames('Members never to place on.'),
    }),
  ),
  overrides: Type.Optional(
    Type.Array(
      Type.Object(
        {
          clusterNames: ClusterNames('Members this override applies to.'),
          clusterSelector: Type.Optional(LabelSelector('Members this override applies to, by label.')),
          kind: Type.Optional(StringEnum(PROPAGATED_KINDS, { description: 'Only objects of this kind.' })),
          name: Type.Optional(Type.String({ minLength: 1, maxLength: 253, description: 'Only the object of this name.' })),
          patches: Type.Array(JsonPatchOperation, { minItems: 1, maxItems: 100 }),
        },
        cel({ rule: 'has(self.clusterNames) || has(self.clusterSelector)', message: 'an override names clusterNames or clusterSelector' }),
      ),
      { maxItems: 100 },
    ),
  ),
});
export const PropagationPolicyStatus = Type.Object({
  observedGeneration: Type.Optional(Type.Integer({ minimum: 0, format: 'int64' })),
  conditions: Type.Optional(Conditions),
  selectedObjects: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type PropagationPolicySpec = Static<typeof PropagationPolicySpec>;
export type PropagationPolicy = HeraldObject<
  'PropagationPolicy',
  PropagationPolicySpec,
  Static<typeof PropagationPolicyStatus>
>;
