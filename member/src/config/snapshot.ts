/**
 * A compiled, immutable view of the agent's configuration objects. Built by a pure function from
 * the objects (whether read from the cluster or a folder); an object that cannot be used is left
 * out and reported as a Problem, never thrown, so one bad object cannot take the agent down.
 */
// Subpath imports: the pipeline's thread loads these, and the package root would load every schema.
import type { Config, InhibitRule, LabelMatcher, SecretLookup, Receiver, Router, Rule, Settings, Silence, Template } from '@herald/shared';
import { CONFIG_CHANNELS, type Channel } from '@herald/shared/channels';
import { fullMatchRegex, type UserRegex } from '@herald/shared/regex';
import { compileSelector } from '@herald/shared/selector';
import { egressPolicyOf } from '../notify/egress.js';
import { effectiveSettings, type EffectiveSettings } from './settings.js';
import type { Labels } from '../model/notification.js';
import { checkSchedule } from '@herald/shared/silence';
import { compileInhibitRule, type CompiledInhibitRule } from '../routing/inhibit.js';
import { compileRule, type CompiledRule } from '../rules/compile.js';
import { configSelectorOf } from '../routing/select-config.js';

export interface Problem {
  kind: string;
  name: string;
  message: string;
}

export type Scope = { kind: 'global' } | { kind: 'tenant'; tenant: string } | { kind: 'none' };

interface CompiledChannel {
  channel: Channel;
  enabled: boolean;
  alertMatch: LabelMatcher;
}

export interface CompiledReceiver {
  object: Receiver;
  name: string;
  labels: Labels;
  scope: Scope;
  channels: CompiledChannel[];
}

export interface CompiledRouter {
  name: string;
  match: LabelMatcher;
  names: Set<string>;
  regexName: UserRegex | undefined;
  selector: LabelMatcher | undefined;
  types: Set<Channel> | undefined;
  tenants: { tenant: string; types: Set<Channel> | undefined }[];
}

export interface CompiledSilence {
  object: Silence;
  name: string;
  scope: Scope;
  match: LabelMatcher;
}

export interface Snapshot {
  settings: EffectiveSettings;
  receivers: CompiledReceiver[];
  configs: Config[];
  routers: CompiledRouter[];
  silences: CompiledSilence[];
  /** Enabled InhibitRules, sorted by name. */
  inhibitRules: CompiledInhibitRule[];
  templates: Template[];
  /** Which Kubernetes Events and audit events notify, sorted by name. */
  rules: CompiledRule[];
  secrets: SecretLookup;
  problems: Problem[];
}

export interface SnapshotInput {
  settings?: Settings | undefined;
  receivers?: Receiver[];
  configs?: Config[];
  routers?: Router[];
  silences?: Silence[];
  inhibitRules?: InhibitRule[];
  templates?: Template[];
  rules?: Rule[];
  secrets?: SecretLookup;
}

/** scopeOf: global if the global selector matches; tenant if the tenant selector matches and the tenant label is set. */
function scopeOf(labels: Labels, settings: EffectiveSettings): Scope {
  if (compileSelector(settings.globalReceiverSelector)(labels)) return { kind: 'global' };
  const tenant = labels[settings.tenantKey];
  if (tenant !== undefined && compileSelector(settings.tenantReceiverSelector)(labels)) return { kind: 'tenant', tenant };
  return { kind: 'none' };
}

/** Runs `build`, turning a thrown error into a Problem for (kind, name). */
function guarded<T>(problems: Problem[], kind: string, name: string, build: () => T): T | undefined {
  try {
    return build();
  } catch (err) {
    problems.push({ kind, name, message: (err as Error).message });
    return undefined;
  }
}

function compileReceiver(r: Receiver, settings: EffectiveSettings): CompiledReceiver {
  const labels = r.metadata.labels ?? {};
  const channels = CONFIG_CHANNELS.flatMap((channel): CompiledChannel[] => {
    const block = r.spec[channel];
    if (!block) return [];
    // Checked here so a bad pattern is reported for the Receiver; selectConfig uses the selector per delivery.
    compileSelector(configSelectorOf(r, channel), `spec.${channel}.${channel}ConfigSelector`);
    return [{ channel, enabled: block.enabled !== false, alertMatch: compileSelector(block.alertSelector, `spec.${channel}.alertSelector`) }];
  });
  return { object: r, name: r.metadata.name, labels, scope: scopeOf(labels, settings), channels };
}

/** A Router's `type`, one channel (as Notification Manager writes it) or a list, as a set. */
const channelSet = (type: Channel | readonly Channel[] | undefined): Set<Channel> | undefined =>
  type === undefined ? undefined : new Set(typeof type === 'string' ? [type] : type);

function compileRouter(r: Router): CompiledRouter | undefined {
  if (r.spec.enabled === false) return undefined;
  const rs = r.spec.receivers;
  return {
    name: r.metadata.name,
    match: compileSelector(r.spec.alertSelector, 'spec.alertSelector'),
    names: new Set(rs.name ?? []),
    regexName: rs.regexName === undefined ? undefined : fullMatchRegex(rs.regexName, 'spec.receivers.regexName'),
    selector: rs.selector ? compileSelector(rs.selector, 'spec.receivers.selector') : undefined,
    types: channelSet(rs.type),
    tenants: (rs.channels ?? []).map((c) => ({ tenant: c.tenant, types: channelSet(c.type) })),
  };
}

/** An InhibitRule in neither scope would mute nothing: that is reported rather than silently ignored. */
function compileInhibit(r: InhibitRule, settings: EffectiveSettings): CompiledInhibitRule {
  const scope = scopeOf(r.metadata.labels ?? {}, settings);
  if (scope.kind === 'none') {
    throw new Error(
      `metadata.labels: the rule is neither global nor a tenant's (Settings' globalReceiverSelector, by default type=global; or its tenantReceiverSelector, by default type=tenant, with the tenant label ${settings.tenantKey}), so it would mute nothing`,
    );
  }
  return compileInhibitRule(r, scope);
}

/** The effective Settings; unusable Settings fall back to the defaults, but never to a more open outbound policy. */
function settingsOf(input: Settings | undefined, problems: Problem[]): EffectiveSettings {
  const name = input?.metadata.name ?? 'default';
  const settings = guarded(problems, 'Settings', name, () => effectiveSettings(input?.spec)) ?? {
    ...effectiveSettings(),
    egress: egressPolicyOf(input?.spec.egress?.deny),
  };
  if (settings.egress.invalid !== undefined) {
    problems.push({ kind: 'Settings', name, message: `${settings.egress.invalid}; every outbound connection is refused until it is fixed` });
  }
  return settings;
}

/** buildSnapshot compiles configuration objects into a Snapshot. */
export function buildSnapshot(input: SnapshotInput): Snapshot {
  const problems: Problem[] = [];
  const settings = settingsOf(input.settings, problems);
  const receivers = (input.receivers ?? []).flatMap((r) => guarded(problems, 'Receiver', r.metadata.name, () => compileReceiver(r, settings)) ?? []);
  const routers = (input.routers ?? []).flatMap((r) => guarded(problems, 'Router', r.metadata.name, () => compileRouter(r)) ?? []);
  const silences = (input.silences ?? []).flatMap((s): CompiledSilence[] => {
    if (s.spec.enabled === false) return [];
    const compiled = guarded(problems, 'Silence', s.metadata.name, () => {
      checkSchedule(s.spec);
      return {
        object: s,
        name: s.metadata.name,
        scope: scopeOf(s.metadata.labels ?? {}, settings),
        match: compileSelector(s.spec.matcher, 'spec.matcher'),
      };
    });
    return compiled ? [compiled] : [];
  });
  const inhibitRules = (input.inhibitRules ?? []).flatMap((r) =>
    r.spec.enabled === false ? [] : (guarded(problems, 'InhibitRule', r.metadata.name, () => compileInhibit(r, settings)) ?? []),
  );
  const rules = (input.rules ?? []).flatMap((r) => guarded(problems, 'Rule', r.metadata.name, () => compileRule(r)) ?? []);
  const byName = <T extends { metadata: { name: string } }>(a: T, b: T): number => a.metadata.name.localeCompare(b.metadata.name);
  return {
    settings,
    receivers: receivers.sort((a, b) => a.name.localeCompare(b.name)),
    configs: [...(input.configs ?? [])].sort(byName),
    routers,
    silences,
    inhibitRules: inhibitRules.sort((a, b) => a.name.localeCompare(b.name)),
    templates: [...(input.templates ?? [])].sort(byName),
    rules: rules.sort((a, b) => a.name.localeCompare(b.name)),
    secrets: input.secrets ?? (() => undefined),
    problems,
  };
}
