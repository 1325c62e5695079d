/**
 * Building blocks shared by every Herald kind. Each value here is a TypeBox schema: the same
 * definition yields the CRD's OpenAPI schema (see crd.ts) and, through `Static`, the TS type.
 */
import { Kind, Type, TypeRegistry, type ArrayOptions, type Static, type TSchema, type SchemaOptions } from '@sinclair/typebox';
// Registers the string formats and clearer messages: whoever imports a schema can validate it.
import './messages.js';

export const GROUP = 'herald.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** A CEL rule enforced by the API server (`x-kubernetes-validations`). */
export interface CelRule {
  rule: string;
  message: string;
  fieldPath?: string;
  reason?: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueDuplicate';
}

/** Attaches CEL rules to a schema. */
export function cel(...rules: CelRule[]): { 'x-kubernetes-validations': CelRule[] } {
  return { 'x-kubernetes-validations': rules };
}

// TypeBox checks values (Value.Check/Errors) by kind; this kind is a string from a fixed list.
TypeRegistry.Set<{ enum: string[] }>('StringEnum', (schema, value) => typeof value === 'string' && schema.enum.includes(value));

/** A string limited to the given values (a structural `enum`, which a TypeBox union is not). */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: SchemaOptions = {},
): TSchema & { static: T[number] } {
  return Type.Unsafe<T[number]>({ ...options, [Kind]: 'StringEnum', type: 'string', enum: [...values] });
}

/** The same schema with its own description (a plain spread would leak TypeBox's symbol types). */
export function described<T extends TSchema>(schema: T, description: string): T {
  return { ...schema, description };
}

/**
 * One value or a list of them: Notification Manager writes a Router's `receivers.type` as one
 * string, Herald also takes a list. The item must be an enum (StringEnum): a CRD cannot type a field
 * "string or array", so crd.ts writes an untyped field that only the item's values tell apart.
 */
export function OneOrList<T extends TSchema>(item: T, options: ArrayOptions & { description?: string } = {}) {
  const { description, ...arrayOptions } = options;
  return Type.Union([item, Type.Array(item, arrayOptions)], description === undefined ? {} : { description });
}

/** A string → string map (labels, annotations, dictionaries). */
export const StringMap = (options: SchemaOptions = {}) => Type.Record(Type.String(), Type.String(), options);

/** Go-style duration such as `30s`, `1m30s` or `0s`. */
export const Duration = (description: string) =>
  Type.String({ pattern: '^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$', maxLength: 64, description });

const Name = (description: string) => Type.String({ minLength: 1, maxLength: 253, description });

export const SecretKeyRef = Type.Object(
  {
    namespace: Type.Optional(
      Type.String({ maxLength: 63, description: 'Namespace of the Secret; defaults to herald-system.' }),
    ),
    name: Name('Name of the Secret.'),
    key: Type.String({ minLength: 1, maxLength: 253, description: 'Key within the Secret data.' }),
  },
  { description: 'A key of a Secret.' },
);
export type SecretKeyRef = Static<typeof SecretKeyRef>;

/** A credential: given inline as `value`, or read from a Secret key at send time. */
export const Credential = Type.Object(
  {
    value: Type.Optional(Type.String({ description: 'The credential in plain text. Prefer valueFrom.' })),
    valueFrom: Type.Optional(
      Type.Object({ secretKeyRef: SecretKeyRef }, { description: 'Where to read the credential from.' }),
    ),
  },
  {
    description: 'A credential: exactly one of value or valueFrom.',
    ...cel({
      rule: 'has(self.value) != has(self.valueFrom)',
      message: 'exactly one of value or valueFrom must be set',
    }),
  },
);
export type Credential = Static<typeof Credential>;

export const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Match'] as const;
export type SelectorOperator = (typeof SELECTOR_OPERATORS)[number];

export const LabelSelectorRequirement = Type.Object(
  {
    key: Type.String({ minLength: 1, maxLength: 317, description: 'The label key.' }),
    operator: StringEnum(SELECTOR_OPERATORS, {
      description: 'In, NotIn, Exists, DoesNotExist, or Match (regexValue against the label value).',
    }),
    values: Type.Optional(Type.Array(Type.String({ maxLength: 1024 }), { maxItems: 256 })),
    regexValue: Type.Optional(
      Type.String({ minLength: 1, maxLength: 1024, description: 'RE2-style regular expression for Match.' }),
    ),
  },
  cel(
    {
      rule: "!(self.operator in ['In', 'NotIn']) || (has(self.values) && size(self.values) > 0)",
      message: 'In and NotIn need at least one value',
      fieldPath: '.values',
    },
    {
      rule: "!(self.operator in ['Exists', 'DoesNotExist', 'Match']) || !has(self.values) || size(self.values) == 0",
      message: 'Exists, DoesNotExist and Match take no values',
      fieldPath: '.values',
    },
    {
      rule: "(self.operator == 'Match') == has(self.regexValue)",
      message: 'regexValue is required with operator Match and only allowed with it',
      fieldPath: '.regexValue',
    },
  ),
);
export type LabelSelectorRequirement = Static<typeof LabelSelectorRequirement>;

export const LabelSelector = (description: string) =>
  Type.Object(
    {
      matchLabels: Type.Optional(StringMap({ description: 'Labels that must all be equal.' })),
      matchExpressions: Type.Optional(
        Type.Array(LabelSelectorRequirement, { maxItems: 32, description: 'Requirements that must all hold.' }),
      ),
    },
    { description },
  );
export type LabelSelector = Static<ReturnType<typeof LabelSelector>>;

export const TLSConfig = Type.Object(
  {
    rootCA: Type.Optional(described(Credential, 'PEM root CA used to verify the server.')),
    clientCertificate: Type.Optional(
      Type.Object(
        {
          cert: described(Credential, 'PEM client certificate.'),
          key: described(Credential, 'PEM private key of the client certificate.'),
        },
        { description: 'Client certificate presented to the server.' },
      ),
    ),
    serverName: Type.Optional(Type.String({ maxLength: 253, description: 'Server name for SNI and verification.' })),
    insecureSkipVerify: Type.Optional(Type.Boolean({ description: 'Skip server certificate verification.' })),
  },
  { description: 'TLS settings for connecting to the server.' },
);
export type TLSConfig = Static<typeof TLSConfig>;

/** Points at a template in a `Template` object: `spec.templates[key]` of the object `name`. */
export const TemplateRef = Type.Object(
  {
    name: Name('Name of the Template object.'),
    key: Type.String({ minLength: 1, maxLength: 253, description: 'Template name within it.' }),
  },
  { description: 'A template held in a Template object.' },
);

export const Condition = Type.Object({
  type: Type.String({ maxLength: 316 }),
  status: StringEnum(['True', 'False', 'Unknown'] as const),
  observedGeneration: Type.Optional(Type.Integer({ minimum: 0, format: 'int64' })),
  lastTransitionTime: Type.String({ format: 'date-time' }),
  reason: Type.String({ maxLength: 1024 }),
  message: Type.String({ maxLength: 32768 }),
});
export type Condition = Static<typeof Condition>;

export const Conditions = Type.Array(Condition, {
  maxItems: 16,
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['type'],
});

export const PROPAGATION_STATES = [
  'Pending',
  'Applied',
  'ApplyFailed',
  'ApplyOverridesFailed',
  /** Applied, and the member's agent refused it (its Accepted condition is False). */
  'Rejected',
  'ClusterNotReady',
  'Deleting',
  'Orphaned',
] as const;
export type PropagationState = (typeof PROPAGATION_STATES)[number];

export const DeliveryHealth = Type.Object(
  {
    delivered: Type.Optional(Type.Integer({ minimum: 0, format: 'int64' })),
    failed: Type.Optional(Type.Integer({ minimum: 0, format: 'int64' })),
    pending: Type.Optional(Type.Integer({ minimum: 0, format: 'int64' })),
    lastSuccessTime: Type.Optional(Type.String({ format: 'date-time' })),
    lastFailureTime: Type.Optional(Type.String({ format: 'date-time' })),
    lastError: Type.Optional(Type.String({ maxLength: 4096 })),
  },
  { description: 'Delivery totals and the latest outcome, as reported by an agent.' },
);
export type DeliveryHealth = Static<typeof DeliveryHealth>;

export const ClusterStatus = Type.Object({
  name: Name('Member cluster name.'),
  state: StringEnum(PROPAGATION_STATES),
  observedGeneration: Type.Optional(Type.Integer({ minimum: 0, format: 'int64' })),
  message: Type.Optional(Type.String({ maxLength: 4096 })),
  /** The member agent's verdict on the copy it has (Unknown: none yet for this generation). */
  accepted: Type.Optional(StringEnum(['True', 'False', 'Unknown'] as const)),
  lastTransitionTime: Type.Optional(Type.String({ format: 'date-time' })),
  delivery: Type.Optional(DeliveryHealth),
});
export type ClusterStatus = Static<typeof ClusterStatus>;

/** Status of every object the host propagates (Karmada-like per-cluster breakdown). */
export const PropagatedStatus = Type.Object({
  observedGeneration: Type.Optional(Type.Integer({ minimum: 0, format: 'int64' })),
  conditions: Type.Optional(Conditions),
  clusters: Type.Optional(
    Type.Array(ClusterStatus, {
      maxItems: 1024,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    }),
  ),
  summary: Type.Optional(Type.String({ maxLength: 64, description: 'Applied/total clusters, e.g. 2/3.' })),
  delivery: Type.Optional(DeliveryHealth),
});
export type PropagatedStatus = Static<typeof PropagatedStatus>;

/** The metadata fields Herald reads and writes. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  generation?: number;
  resourceVersion?: string;
  uid?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  finalizers?: string[];
}

/** A Herald object of kind K. */
export interface HeraldObject<K extends string, Spec, Status = PropagatedStatus> {
  apiVersion: typeof API_VERSION;
  kind: K;
  metadata: ObjectMeta;
  spec: Spec;
  status?: Status;
}

export type { Static, TSchema };
