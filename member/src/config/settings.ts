/** Effective Settings: the `default` Settings object with every default filled in. */
import type { Channel, LabelSelector, SettingsSpec } from '@herald/shared';
import { durationOr } from '@herald/shared/duration';
import { compileSelector } from '@herald/shared/selector';
import { egressPolicyOf, type EgressPolicy } from '../notify/egress.js';

type OptionsSpec = NonNullable<SettingsSpec['options']>;

/** A channel's block of `Settings.spec.options`, typed from the schema, with its send timeout in ms. */
export type ChannelOptions<C extends Channel = Channel> = (C extends keyof OptionsSpec ? NonNullable<OptionsSpec[C]> : Record<never, never>) & {
  timeoutMs: number;
};

export interface EffectiveSettings {
  tenantKey: string;
  globalReceiverSelector: LabelSelector;
  tenantReceiverSelector: LabelSelector;
  defaultConfigSelector: LabelSelector;
  defaultSecretNamespace: string;
  routePolicy: 'All' | 'RouterFirst' | 'RouterOnly';
  groupLabels: string[];
  batchMaxSize: number;
  batchMaxWaitMs: number;
  cluster: { name: string; labels: Record<string, string> };
  language: string;
  globalTemplate: string | undefined;
  channel<C extends Channel>(channel: C): ChannelOptions<C>;
  delivery: { maxAttempts: number; initialBackoffMs: number; maxBackoffMs: number; giveUpAfterMs: number; dedupWindowMs: number };
  historyRetentionMs: number;
  /** Bounds of the inhibition state: how long an unrefreshed source counts, and how many are kept. */
  inhibition: { sourceTtlMs: number; maxSources: number };
  /** The outbound address policy of configured receivers (spec.egress); `invalid` when it could not be read. */
  egress: EgressPolicy;
}

/** Notification Manager's Helm default; grouping by cluster and alerttype keeps sources apart. */
const DEFAULT_GROUP_LABELS = ['alertname', 'namespace', 'cluster', 'alerttype'];
const DEFAULT_TIMEOUT_MS = 10_000;
/**
 * Well below any sane repeat_interval, above the gap between Alertmanager HA peers' copies of a
 * notification (peer_timeout, 15 s, per position).
 */
const DEFAULT_DEDUP_WINDOW_MS = 30_000;

function deliveryOf(d: NonNullable<SettingsSpec['delivery']> = {}): EffectiveSettings['delivery'] {
  return {
    maxAttempts: d.maxAttempts ?? Number.POSITIVE_INFINITY,
    initialBackoffMs: durationOr(d.initialBackoff, 1_000),
    maxBackoffMs: durationOr(d.maxBackoff, 300_000),
    giveUpAfterMs: durationOr(d.giveUpAfter, 86_400_000),
    dedupWindowMs: durationOr(d.dedupWindow, DEFAULT_DEDUP_WINDOW_MS),
  };
}

function channelOptionsOf(spec: SettingsSpec): EffectiveSettings['channel'] {
  const options: Partial<Record<Channel, { notificationTimeout?: number }>> = spec.options ?? {};
  return <C extends Channel>(channel: C): ChannelOptions<C> => {
    const o: { notificationTimeout?: number } = options[channel] ?? {};
    const seconds = o.notificationTimeout;
    // spec.options[C] is the schema's block for C; TypeScript cannot index the schema's type by a generic key.
    return { ...o, timeoutMs: seconds !== undefined ? seconds * 1000 : DEFAULT_TIMEOUT_MS } as ChannelOptions<C>;
  };
}

type Selectors = Pick<EffectiveSettings, 'globalReceiverSelector' | 'tenantReceiverSelector' | 'defaultConfigSelector'>;

/** The selectors, each compiled once here so a bad Match pattern is reported for Settings, not met while routing. */
function selectorsOf(spec: SettingsSpec): Selectors {
  const selectors: Selectors = {
    globalReceiverSelector: spec.globalReceiverSelector ?? { matchLabels: { type: 'global' } },
    tenantReceiverSelector: spec.tenantReceiverSelector ?? { matchLabels: { type: 'tenant' } },
    defaultConfigSelector: spec.defaultConfigSelector ?? { matchLabels: { type: 'default' } },
  };
  for (const [name, selector] of Object.entries(selectors)) compileSelector(selector, `spec.${name}`);
  return selectors;
}

function presentationOf(spec: SettingsSpec): Pick<EffectiveSettings, 'cluster' | 'language' | 'globalTemplate'> {
  return {
    cluster: { name: spec.cluster?.name ?? 'default', labels: spec.cluster?.labels ?? {} },
    language: spec.template?.language ?? 'English',
    globalTemplate: spec.options?.global?.template,
  };
}

/** effectiveSettings fills defaults; it throws on a malformed duration (the API server prevents those) or a bad selector pattern. */
export function effectiveSettings(spec: SettingsSpec = {}): EffectiveSettings {
  return {
    ...selectorsOf(spec),
    tenantKey: spec.tenantKey ?? 'namespace',
    defaultSecretNamespace: spec.defaultSecretNamespace ?? 'herald-system',
    routePolicy: spec.routePolicy ?? 'All',
    groupLabels: spec.groupLabels ?? DEFAULT_GROUP_LABELS,
    batchMaxSize: spec.batchMaxSize ?? 100,
    batchMaxWaitMs: durationOr(spec.batchMaxWait, 5_000),
    ...presentationOf(spec),
    channel: channelOptionsOf(spec),
    delivery: deliveryOf(spec.delivery),
    historyRetentionMs: durationOr(spec.history?.retention, 7 * 86_400_000),
    inhibition: {
      sourceTtlMs: durationOr(spec.inhibition?.sourceTTL, 86_400_000),
      maxSources: spec.inhibition?.maxSources ?? 10_000,
    },
    egress: egressPolicyOf(spec.egress?.deny),
  };
}
