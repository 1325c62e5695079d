/**
 * Which Rules select a Kubernetes Event or an audit event. Pure: facts in, rules out. Every field
 * a rule gives must match; a field it leaves out (or gives as an empty list) matches anything.
 */
import type { CompiledAuditMatch, CompiledEventMatch, CompiledRule, ResourceMatch } from './compile.js';

/** What Event rules look at, taken from one events.k8s.io/v1 Event. */
export interface EventFacts {
  type: string;
  reason: string;
  kind: string;
  name: string;
  namespace: string;
  controller: string;
  message: string;
}

/** What Audit rules look at, taken from one audit.k8s.io/v1 Event. */
export interface AuditFacts {
  stage: string;
  verb: string;
  group: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  user: string;
  groups: readonly string[];
  userAgent: string;
  code: number | undefined;
}

/** With no Event Rule at all (enabled or not), Warning events notify. */
export const DEFAULT_EVENT_RULE: CompiledRule = {
  name: 'warning-events',
  source: 'Event',
  enabled: true,
  severity: undefined,
  labels: {},
  annotations: {},
  rateLimit: undefined,
  event: { types: new Set(['Warning']) },
  audit: undefined,
};

const within = <T>(set: Set<T> | undefined, value: T): boolean => set === undefined || set.has(value);

function eventMatches(m: CompiledEventMatch | undefined, f: EventFacts): boolean {
  if (!m) return true;
  return (
    within(m.types, f.type) &&
    within(m.reasons, f.reason) &&
    within(m.kinds, f.kind) &&
    within(m.names, f.name) &&
    within(m.namespaces, f.namespace) &&
    within(m.controllers, f.controller) &&
    (m.message === undefined || m.message.test(f.message))
  );
}

/**
 * As in an audit Policy: an absent group is the core group, an absent subresource the resource
 * itself; "" is the same as absent, and "*" matches any value.
 */
function resourceMatches(r: ResourceMatch, f: AuditFacts): boolean {
  const is = (want: string | undefined, have: string): boolean => want === '*' || (want ?? '') === have;
  return is(r.resource, f.resource) && is(r.group, f.group) && is(r.subresource, f.subresource);
}

function whoMatches(m: CompiledAuditMatch, f: AuditFacts): boolean {
  return (
    within(m.users, f.user) &&
    (m.groups === undefined || f.groups.some((g) => m.groups?.has(g))) &&
    (m.user === undefined || m.user.test(f.user)) &&
    (m.userAgent === undefined || m.userAgent.test(f.userAgent))
  );
}

function auditMatches(m: CompiledAuditMatch | undefined, f: AuditFacts): boolean {
  if (!m) return true;
  return (
    within(m.stages, f.stage) &&
    within(m.verbs, f.verb) &&
    (m.resources === undefined || m.resources.some((r) => resourceMatches(r, f))) &&
    within(m.namespaces, f.namespace) &&
    within(m.names, f.name) &&
    (m.codes === undefined || (f.code !== undefined && m.codes.has(f.code))) &&
    whoMatches(m, f)
  );
}

/** The enabled Event rules that select the event; the default Warning rule when no Event rule exists. */
export function eventRulesFor(rules: readonly CompiledRule[], f: EventFacts): CompiledRule[] {
  const mine = rules.filter((r) => r.source === 'Event');
  const candidates = mine.length === 0 ? [DEFAULT_EVENT_RULE] : mine.filter((r) => r.enabled);
  return candidates.filter((r) => eventMatches(r.event, f));
}

/** The enabled Audit rules that select the audit event; none selects it without a rule. */
export function auditRulesFor(rules: readonly CompiledRule[], f: AuditFacts): CompiledRule[] {
  return rules.filter((r) => r.source === 'Audit' && r.enabled && auditMatches(r.audit, f));
}
