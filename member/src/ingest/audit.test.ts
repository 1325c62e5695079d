import { describe, expect, it } from 'vitest';
import type { RuleSpec } from '@herald/shared';
import { compileRule } from '../rules/compile.js';
import { RateLimiter } from '../rules/rate-limit.js';
import { auditNotification, normalizeAudit, withoutCommand, type AuditEvent } from './audit.js';

// `^(?!system:)` in RE2 syntax, which has no lookahead.
const NOT_SYSTEM = '^($|[^s]|s($|[^y])|sy($|[^s])|sys($|[^t])|syst($|[^e])|syste($|[^m])|system($|[^:]))';
const stamp = { cluster: 'member-a', clusterLabels: {} };
const rule = (name: string, spec: RuleSpec) => compileRule({ apiVersion: 'herald.dev/v1alpha1', kind: 'Rule', metadata: { name }, spec });
const event = (over: Partial<AuditEvent> = {}): AuditEvent => ({
  level: 'Metadata',
  auditID: 'a-1',
  stage: 'ResponseComplete',
  requestURI: '/api/v1/namespaces/shop/secrets/db',
  verb: 'get',
  user: { username: 'alice', groups: ['dev', 'system:authenticated'] },
  sourceIPs: ['10.0.0.7'],
  userAgent: 'kubectl/v1.35.0',
  objectRef: { resource: 'secrets', namespace: 'shop', name: 'db', apiVersion: 'v1' },
  responseStatus: { code: 200 },
  requestReceivedTimestamp: '2026-11-21T12:00:00.000001Z',
  stageTimestamp: '2026-11-21T12:00:00.002000Z',
  ...over,
});
const secretReads = rule('secret-reads', { source: 'Audit', audit: { verbs: ['get', 'list', 'watch'], resources: [{ resource: 'secrets' }], userRegex: NOT_SYSTEM } });

describe('audit event → notification', () => {
  it('labels it as the issue asks and says what happened in one line', () => {
    const n = auditNotification(event(), secretReads, stamp);
    expect(n.labels).toEqual({ alertname: 'secret-reads', alerttype: 'auditing', user: 'alice', verb: 'get', resource: 'secrets', name: 'db', namespace: 'shop', code: '200', severity: 'warning', cluster: 'member-a' });
    expect(n.annotations).toMatchObject({ message: 'alice get secrets db in namespace shop: 200', auditID: 'a-1', requestURI: '/api/v1/namespaces/shop/secrets/db', sourceIPs: '10.0.0.7', userAgent: 'kubectl/v1.35.0', stage: 'ResponseComplete' });
    expect(n).toMatchObject({ source: 'audit', status: 'firing', startsAt: '2026-11-21T12:00:00.000001Z' });
  });

  it('names the group and subresource when there are some', () => {
    const n = auditNotification(event({ verb: 'create', objectRef: { resource: 'pods', subresource: 'exec', namespace: 'shop', name: 'web-1' }, responseStatus: { code: 101 } }), secretReads, stamp);
    expect(n.labels).toMatchObject({ resource: 'pods', subresource: 'exec', code: '101' });
    expect(n.annotations['message']).toBe('alice create pods/exec web-1 in namespace shop: 101');
  });

  it('the two stages of one request are the same delivery (same fingerprint and start)', () => {
    const started = auditNotification(event({ stage: 'ResponseStarted', responseStatus: { code: 101 } }), secretReads, stamp);
    const complete = auditNotification(event({ stage: 'ResponseComplete', responseStatus: { code: 101 } }), secretReads, stamp);
    expect([complete.fingerprint, complete.startsAt]).toEqual([started.fingerprint, started.startsAt]);
  });
});

describe('normalizeAudit', () => {
  const allowAll = { allow: () => true, stamp };
  it('yields a notification per selecting rule, and nothing for what no rule selects', () => {
    const denied = rule('denied', { source: 'Audit', audit: { responseCodes: [401, 403] } });
    const items = [event(), event({ auditID: 'a-2', objectRef: { resource: 'configmaps', namespace: 'shop', name: 'cfg' } }), event({ auditID: 'a-3', responseStatus: { code: 403 } })];
    const out = normalizeAudit({ items }, { ...allowAll, rules: [secretReads, denied] });
    expect(out.map((n) => `${n.labels['alertname']}:${n.annotations['auditID']}`)).toEqual(['secret-reads:a-1', 'secret-reads:a-3', 'denied:a-3']);
    expect(normalizeAudit({ items }, { ...allowAll, rules: [] })).toEqual([]);
  });

  it('applies the rule’s rate limit', () => {
    const limited = rule('limited', { source: 'Audit', rateLimit: { count: 2, per: '1m' } });
    const limiter = new RateLimiter();
    const items = Array.from({ length: 5 }, (_, i) => event({ auditID: `a-${i}` }));
    const out = normalizeAudit({ items }, { rules: [limited], stamp, allow: (r) => limiter.allow(r, 0) });
    expect(out).toHaveLength(2);
  });
});

describe('withoutCommand', () => {
  it('drops an exec’s command line (it can hold a password) and keeps the rest', () => {
    expect(withoutCommand('/api/v1/namespaces/shop/pods/db-0/exec?command=mysql&command=-psecret&container=db&stdin=true')).toBe('/api/v1/namespaces/shop/pods/db-0/exec?container=db&stdin=true');
    expect(withoutCommand('/api/v1/namespaces/shop/pods/db-0/exec?command=sh')).toBe('/api/v1/namespaces/shop/pods/db-0/exec');
    expect(withoutCommand('/api/v1/namespaces/shop/secrets/db')).toBe('/api/v1/namespaces/shop/secrets/db');
  });
});
