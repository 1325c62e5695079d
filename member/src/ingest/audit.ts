/**
 * API-server audit events as notifications. Pure: the audit events, the Rules and the cluster
 * stamp in, notifications out; only events a Rule selects notify, once per selecting rule.
 */
import { fingerprintOf, type Notification } from '../model/notification.js';
import type { CompiledRule } from '../rules/compile.js';
import { auditRulesFor, type AuditFacts } from '../rules/match.js';
import { stampLabels, ZERO_TIME, type Stamp } from './alertmanager.js';
import type { AuditEvent, AuditEventList } from './audit-schema.js';
import { present } from './kube-event.js';

export type { AuditEvent, AuditEventList } from './audit-schema.js';

/**
 * The request URI without an exec's `command` parameters: a command line can carry a password
 * (`mysql -p…`), which must not reach notifications or history. The verb and pod still say what ran.
 */
export function withoutCommand(uri: string): string {
  if (!uri.includes('command=')) return uri;
  const [path = '', query = ''] = uri.split('?', 2);
  const kept = query.split('&').filter((p) => !p.startsWith('command='));
  return `${path}${kept.length > 0 ? `?${kept.join('&')}` : ''}`;
}

function auditFacts(e: AuditEvent): AuditFacts {
  const ref = e.objectRef ?? {};
  return {
    stage: e.stage,
    verb: e.verb,
    group: ref.apiGroup ?? '',
    resource: ref.resource ?? '',
    subresource: ref.subresource ?? '',
    namespace: ref.namespace ?? '',
    name: ref.name ?? '',
    user: e.user.username ?? '',
    groups: e.user.groups ?? [],
    userAgent: e.userAgent ?? '',
    code: e.responseStatus?.code,
  };
}

/** Longest label and annotation value taken from an audit event (the schema does not bound them). */
const MAX_AUDIT_VALUE = 1024;

/** Every value cut to MAX_AUDIT_VALUE characters. */
function bounded(values: Record<string, string>): Record<string, string> {
  const cut = (v: string): string => (v.length > MAX_AUDIT_VALUE ? `${v.slice(0, MAX_AUDIT_VALUE - 1)}…` : v);
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, cut(v)]));
}

/** One line a person reads: who did what to which object, and what the server answered. */
function summary(f: AuditFacts): string {
  const what = `${f.resource}${f.subresource ? `/${f.subresource}` : ''}`;
  const where = f.namespace ? ` in namespace ${f.namespace}` : '';
  return `${f.user || 'unknown user'} ${f.verb} ${what || 'non-resource URL'}${f.name ? ` ${f.name}` : ''}${where}: ${f.code ?? 'no response code'}`;
}

/**
 * The notification for one audit event as selected by one rule. startsAt is when the request was
 * received, which the ResponseStarted and ResponseComplete stages of one request share: a rule
 * that takes both stages yields one delivery, not two.
 */
export function auditNotification(e: AuditEvent, rule: CompiledRule, stamp: Stamp): Notification {
  const f = auditFacts(e);
  const own = present(bounded({
    alertname: rule.name,
    alerttype: 'auditing',
    user: f.user,
    verb: f.verb,
    group: f.group,
    resource: f.resource,
    subresource: f.subresource,
    name: f.name,
    namespace: f.namespace,
    code: f.code === undefined ? '' : String(f.code),
    severity: rule.severity ?? 'warning',
  }));
  const labels = stampLabels({ ...rule.labels, ...own }, stamp);
  const annotations = present({
    ...bounded({
      message: summary(f),
      auditID: e.auditID,
      stage: f.stage,
      requestURI: withoutCommand(e.requestURI ?? ''),
      userAgent: f.userAgent,
      sourceIPs: (e.sourceIPs ?? []).join(', '),
      impersonatedUser: e.impersonatedUser?.username ?? '',
      reason: e.responseStatus?.message ?? '',
    }),
    ...rule.annotations,
  });
  return {
    fingerprint: fingerprintOf(labels),
    status: 'firing',
    labels,
    annotations,
    startsAt: e.requestReceivedTimestamp ?? e.stageTimestamp ?? ZERO_TIME,
    endsAt: ZERO_TIME,
    generatorURL: '',
    source: 'audit',
  };
}

/**
 * normalizeAudit turns an EventList into notifications; `allow` applies each rule's rate limit.
 * Events no rule selects are dropped here: without a rule, audit events do not notify.
 */
export function normalizeAudit(
  list: AuditEventList,
  ctx: { rules: readonly CompiledRule[]; stamp: Stamp; allow: (rule: CompiledRule) => boolean },
): Notification[] {
  const out: Notification[] = [];
  for (const e of list.items) {
    for (const rule of auditRulesFor(ctx.rules, auditFacts(e))) {
      if (ctx.allow(rule)) out.push(auditNotification(e, rule, ctx.stamp));
    }
  }
  return out;
}
