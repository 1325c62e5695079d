/**
 * Rules compiled for matching: lists become sets, regexes are compiled once, durations parsed.
 * A Rule that cannot be compiled (a bad regex) throws naming the field; the snapshot turns that
 * into a Problem, so the Rule is left out and marked not Accepted.
 */
import type { Rule, RuleSpec } from '@herald/shared';
import { parseDuration } from '@herald/shared/duration';
import { searchRegex, type UserRegex } from '@herald/shared/regex';

type Labels = Record<string, string>;

export interface CompiledEventMatch {
  types?: Set<string>;
  reasons?: Set<string>;
  kinds?: Set<string>;
  names?: Set<string>;
  namespaces?: Set<string>;
  controllers?: Set<string>;
  message?: UserRegex;
}

export interface ResourceMatch {
  group: string | undefined;
  resource: string;
  subresource: string | undefined;
}

export interface CompiledAuditMatch {
  stages?: Set<string>;
  verbs?: Set<string>;
  resources?: ResourceMatch[];
  namespaces?: Set<string>;
  names?: Set<string>;
  users?: Set<string>;
  groups?: Set<string>;
  user?: UserRegex;
  userAgent?: UserRegex;
  codes?: Set<number>;
}

export interface CompiledRule {
  name: string;
  source: RuleSpec['source'];
  enabled: boolean;
  severity: string | undefined;
  labels: Labels;
  annotations: Labels;
  rateLimit: { count: number; perMs: number } | undefined;
  event: CompiledEventMatch | undefined;
  audit: CompiledAuditMatch | undefined;
}

/** A regex searched anywhere in the text (anchor it with ^ and $ to match the whole), on RE2. */
function optionalRegex(source: string | undefined, field: string): UserRegex | undefined {
  return source === undefined ? undefined : searchRegex(source, field);
}

/** An empty or absent list constrains nothing. */
function setOf<T>(list: readonly T[] | undefined): Set<T> | undefined {
  return list && list.length > 0 ? new Set(list) : undefined;
}

function compileEvent(m: NonNullable<RuleSpec['event']>): CompiledEventMatch {
  return {
    types: setOf(m.type),
    reasons: setOf(m.reasons),
    kinds: setOf(m.involvedObject?.kinds),
    names: setOf(m.involvedObject?.names),
    namespaces: setOf(m.involvedObject?.namespaces),
    controllers: setOf(m.reportingControllers),
    message: optionalRegex(m.messageRegex, 'spec.event.messageRegex'),
  };
}

function compileAudit(m: NonNullable<RuleSpec['audit']>): CompiledAuditMatch {
  return {
    stages: setOf(m.stages),
    verbs: setOf(m.verbs),
    resources: m.resources && m.resources.length > 0
      ? m.resources.map((r) => ({ group: r.group, resource: r.resource, subresource: r.subresource }))
      : undefined,
    namespaces: setOf(m.namespaces),
    names: setOf(m.names),
    users: setOf(m.users),
    groups: setOf(m.userGroups),
    user: optionalRegex(m.userRegex, 'spec.audit.userRegex'),
    userAgent: optionalRegex(m.userAgentRegex, 'spec.audit.userAgentRegex'),
    codes: setOf(m.responseCodes),
  };
}

/** compileRule throws an Error naming the field when the Rule cannot be used. */
export function compileRule(rule: Rule): CompiledRule {
  const s = rule.spec;
  let perMs = 0;
  if (s.rateLimit) {
    try {
      perMs = parseDuration(s.rateLimit.per);
    } catch (err) {
      throw new Error(`spec.rateLimit.per: ${(err as Error).message}`);
    }
    if (perMs <= 0) throw new Error('spec.rateLimit.per: must be longer than 0s');
  }
  return {
    name: rule.metadata.name,
    source: s.source,
    enabled: s.enabled !== false,
    severity: s.severity,
    labels: s.labels ?? {},
    annotations: s.annotations ?? {},
    rateLimit: s.rateLimit ? { count: s.rateLimit.count, perMs } : undefined,
    event: s.source === 'Event' ? compileEvent(s.event ?? {}) : undefined,
    audit: s.source === 'Audit' ? compileAudit(s.audit ?? {}) : undefined,
  };
}
