/** The registry of Herald kinds: names, scope, schemas and printer columns, one entry per CRD. */
import type { TSchema } from '@sinclair/typebox';
import { PropagatedStatus, type CelRule } from './common.js';
import { ConfigSpec } from './config.js';
import { ReceiverSpec } from './receiver.js';
import { InhibitRuleSpec, RouterSpec, SilenceSpec } from './routing.js';
import { TemplateSpec } from './template.js';
import { RuleSpec } from './rule.js';
import { SettingsSpec } from './settings.js';
import { MemberClusterSpec, MemberClusterStatus, PropagationPolicySpec, PropagationPolicyStatus } from './federation.js';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface KindDef {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  description: string;
  spec: TSchema;
  status: TSchema;
  columns: PrinterColumn[];
  /** Rules on the whole object (only metadata.name and spec/status are visible to them). */
  rootRules?: CelRule[];
}

const AGE: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };
const TYPE: PrinterColumn = { name: 'Type', type: 'string', jsonPath: '.metadata.labels.type' };
const PROPAGATED: PrinterColumn[] = [
  {
    name: 'Ready',
    type: 'string',
    jsonPath: '.status.conditions[?(@.type=="Propagated")].status',
    description: 'Whether the object is applied on every member it is placed on.',
  },
  { name: 'Clusters', type: 'string', jsonPath: '.status.summary', description: 'Applied/placed members.' },
];

const DELIVERY: PrinterColumn = {
  name: 'Delivery',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="Delivering")].status',
  description: 'Whether sends succeed on the members that report them.',
};

/** A kind the host propagates: it gets the per-cluster status and the Ready/Clusters columns. */
const propagated = (
  def: Pick<KindDef, 'kind' | 'plural' | 'shortNames' | 'description' | 'spec'> & { extra?: PrinterColumn[]; after?: PrinterColumn[] },
): KindDef => ({
  kind: def.kind,
  plural: def.plural,
  singular: def.kind.toLowerCase(),
  shortNames: def.shortNames,
  description: def.description,
  spec: def.spec,
  status: PropagatedStatus,
  columns: [...(def.extra ?? []), ...PROPAGATED, ...(def.after ?? []), AGE],
});

export const KINDS: readonly KindDef[] = [
  propagated({
    kind: 'Config',
    plural: 'configs',
    shortNames: ['hcfg'],
    description: 'Connection settings of notification channels.',
    spec: ConfigSpec,
    extra: [TYPE],
  }),
  propagated({
    kind: 'Receiver',
    plural: 'receivers',
    shortNames: ['hrcv'],
    description: 'Notification targets on one or more channels.',
    spec: ReceiverSpec,
    extra: [TYPE],
    after: [DELIVERY],
  }),
  propagated({
    kind: 'Router',
    plural: 'routers',
    shortNames: ['hrt'],
    description: 'Sends matching notifications to chosen receivers.',
    spec: RouterSpec,
  }),
  propagated({
    kind: 'Silence',
    plural: 'silences',
    shortNames: ['hsil'],
    description: 'Mutes matching notifications, once or on a schedule.',
    spec: SilenceSpec,
    extra: [TYPE],
  }),
  propagated({
    kind: 'InhibitRule',
    plural: 'inhibitrules',
    shortNames: ['hinh'],
    description: 'Mutes matching notifications while a matching source alert fires (Alertmanager inhibition).',
    spec: InhibitRuleSpec,
    extra: [TYPE],
  }),
  propagated({
    kind: 'Template',
    plural: 'templates',
    shortNames: ['htpl'],
    description: 'Named message templates and language packs.',
    spec: TemplateSpec,
  }),
  propagated({
    kind: 'Rule',
    plural: 'rules',
    shortNames: ['hrule'],
    description: 'Turns Kubernetes Events or audit events into notifications.',
    spec: RuleSpec,
    extra: [{ name: 'Source', type: 'string', jsonPath: '.spec.source' }],
  }),
  {
    ...propagated({
      kind: 'Settings',
      plural: 'settings',
      shortNames: ['hset'],
      description: 'Member-wide routing, grouping and channel settings.',
      spec: SettingsSpec,
    }),
    singular: 'settings',
    rootRules: [{ rule: "self.metadata.name == 'default'", message: 'metadata.name: Settings must be named default' }],
  },
  {
    kind: 'MemberCluster',
    plural: 'memberclusters',
    singular: 'membercluster',
    shortNames: ['mc'],
    description: 'A member cluster registered with the host.',
    spec: MemberClusterSpec,
    status: MemberClusterStatus,
    columns: [
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: 'Agent', type: 'string', jsonPath: '.status.conditions[?(@.type=="AgentReady")].status' },
      { name: 'Synced', type: 'string', jsonPath: '.status.conditions[?(@.type=="Synced")].status' },
      { name: 'Version', type: 'string', jsonPath: '.status.kubernetesVersion' },
      AGE,
    ],
  },
  {
    kind: 'PropagationPolicy',
    plural: 'propagationpolicies',
    singular: 'propagationpolicy',
    shortNames: ['hpp'],
    description: 'Places Herald objects on member clusters, with per-cluster JSON-patch overrides.',
    spec: PropagationPolicySpec,
    status: PropagationPolicyStatus,
    columns: [
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: 'Selected', type: 'integer', jsonPath: '.status.selectedObjects' },
      AGE,
    ],
  },
];

/** Each kind's REST plural (`Receiver` → `receivers`), for paths built by hand. */
export const PLURALS: Readonly<Record<string, string>> = Object.fromEntries(KINDS.map((k) => [k.kind, k.plural]));
