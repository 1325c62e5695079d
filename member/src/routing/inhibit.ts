/**
 * Whether an InhibitRule mutes a notification (Alertmanager's inhibition, pure). A rule mutes a
 * notification that matches its target side while some active source alert — one that matched
 * its source side — has the same values of the rule's `equal` labels. As in Alertmanager:
 * - a label missing on both sides counts as equal (a missing label and an empty value are the same);
 * - the status of the target does not matter: a resolved target is muted too;
 * - a notification that matches both sides is not muted by a source that also matches both
 *   sides, so an alert never inhibits itself, nor its peers of the same kind.
 * Scope is a Silence's: a global rule mutes the notification for every receiver, a tenant's rule
 * only for that tenant's receivers.
 */
import type { InhibitRule } from '@herald/shared';
import { compileSelector, type LabelMatcher } from '@herald/shared/selector';
import type { Scope } from '../config/snapshot.js';
import type { Labels } from '../model/notification.js';

export interface CompiledInhibitRule {
  name: string;
  scope: Scope;
  source: LabelMatcher;
  target: LabelMatcher;
  /** The `equal` labels, each once, sorted. */
  equal: readonly string[];
}

export interface SourceAlert {
  fingerprint: string;
  labels: Labels;
}

/**
 * The active sources of `rule` whose equal labels have the values `key` names (see equalKey):
 * sources that matched the rule's source side and have not resolved or gone stale.
 */
export type SourceLookup = (rule: CompiledInhibitRule, key: string) => Iterable<SourceAlert>;

/** Compiles a rule whose scope the caller worked out; throws naming the field when it cannot be used. */
export function compileInhibitRule(rule: InhibitRule, scope: Scope): CompiledInhibitRule {
  return {
    name: rule.metadata.name,
    scope,
    source: compileSelector(rule.spec.sourceMatch, 'spec.sourceMatch'),
    target: compileSelector(rule.spec.targetMatch, 'spec.targetMatch'),
    equal: [...new Set(rule.spec.equal ?? [])].sort(),
  };
}

/** The values of the equal labels as one key; a missing label is an empty value, as in Alertmanager. */
export function equalKey(labels: Labels, equal: readonly string[]): string {
  return JSON.stringify(equal.map((l) => labels[l] ?? ''));
}

/** A lookup over a plain list of active sources (tests, and small sets). */
export function listLookup(sources: readonly SourceAlert[]): SourceLookup {
  return (rule, key) => sources.filter((s) => rule.source(s.labels) && equalKey(s.labels, rule.equal) === key);
}

/** Whether a rule mutes a notification with these labels, whatever its scope. */
function ruleInhibits(rule: CompiledInhibitRule, lookup: SourceLookup, labels: Labels): boolean {
  if (!rule.target(labels)) return false;
  const twoSided = rule.source(labels);
  for (const source of lookup(rule, equalKey(labels, rule.equal))) {
    if (twoSided && rule.target(source.labels)) continue;
    return true;
  }
  return false;
}

/** Whether a rule's scope covers a receiver of scope `receiver`. */
function covers(rule: Scope, receiver: Scope): boolean {
  if (rule.kind === 'global') return true;
  return rule.kind === 'tenant' && receiver.kind === 'tenant' && receiver.tenant === rule.tenant;
}

/** Every rule that mutes a notification with these labels: global rules first, then tenants', each in the order given. */
export function inhibitingRules(rules: readonly CompiledInhibitRule[], lookup: SourceLookup, labels: Labels): CompiledInhibitRule[] {
  const ordered = [...rules.filter((r) => r.scope.kind === 'global'), ...rules.filter((r) => r.scope.kind === 'tenant')];
  return ordered.filter((r) => ruleInhibits(r, lookup, labels));
}

/** Of the rules that mute a notification, the first whose scope covers a receiver of scope `receiver`. */
export function ruleFor(inhibiting: readonly CompiledInhibitRule[], receiver: Scope): string | undefined {
  return inhibiting.find((r) => covers(r.scope, receiver))?.name;
}

/** The rule that mutes a notification for a receiver of scope `receiver`, or undefined. */
export function inhibitedBy(rules: readonly CompiledInhibitRule[], lookup: SourceLookup, labels: Labels, receiver: Scope): string | undefined {
  return ruleFor(inhibitingRules(rules, lookup, labels), receiver);
}
