/** The registry of Herald kinds: names, scope, schemas and printer columns, one entry per CRD. */
import type { TSchema } from '@sinclair/typebox';
import { PropagatedStatus, type CelRule } from './common.js';
import { ConfigSpec } from './config.js';
import { ReceiverSpec } from './receiver.js';
import { RouterSpec, SilenceSpec } from './routing.js';
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

const propagated = (
  kind: string,
  plural: string,
  shortNames: string[],
  description: string,
  spec: TSchema,
  extra: PrinterColumn[] = [],
): KindDef => ({
  kind,
  plural,
  singular: kind.toLowerCase(),
  shortNames,
  description,
  spec,
  status: PropagatedStatus,
  columns: [...extra, ...PROPAGATED, AGE],
});

export const KINDS: readonly KindDef[] = [
  propagated('Config', 'configs', ['hcfg'], 'Connection settings of notification channels.', ConfigSpec, [TYPE]),
  propagated('Receiver', 'receivers', ['hrcv'], 'Notification targets on one or more channels.', ReceiverSpec, [TYPE]),
  propagated('Router', 'routers', ['hrt'], 'Sends matching notifications to chosen receivers.', RouterSpec),
  propagated('Silence', 'silences', ['hsil'], 'Mutes matching notifications, once or on a schedule.', SilenceSpec, [TYPE]),
  propagated('Template', 'templates', ['htpl'], 'Named message templates and language packs.', TemplateSpec),
  propagated('Rule', 'rules', ['hrule'], 'Turns Kubernetes Events or audit events into notifications.', RuleSpec, [
    { name: 'Source', type: 'string', jsonPath: '.spec.source' },
  ]),
  {
    ...propagated('Settings', 'settings', ['hset'], 'Member-wide routing, grouping and channel settings.', SettingsSpec),
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
