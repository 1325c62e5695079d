import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { Rule, RuleSpec } from '@herald/shared';
import { toSnapshotInput } from '../config/input.js';
import { sortObjects } from '../config/objects.js';
import { buildSnapshot } from '../config/snapshot.js';
import { compileRule } from './compile.js';
import { auditRulesFor, eventRulesFor, type AuditFacts, type EventFacts } from './match.js';
import { RateLimiter } from './rate-limit.js';
import { CATASTROPHIC, EVIL_INPUT } from '../../../test/support/redos.js';

const rule = (name: string, spec: RuleSpec): Rule => ({ apiVersion: 'herald.dev/v1alpha1', kind: 'Rule', metadata: { name }, spec });
const names = (rules: { name: string }[]): string[] => rules.map((r) => r.name);
/** `^(?!system:)` in RE2 syntax, which has no lookahead (as in examples/rules/audit-defaults.yaml). */
const NOT_SYSTEM = '^($|[^s]|s($|[^y])|sy($|[^s])|sys($|[^t])|syst($|[^e])|syste($|[^m])|system($|[^:]))';

const backoff: EventFacts = { type: 'Warning', reason: 'BackOff', kind: 'Pod', name: 'web-1', namespace: 'shop', controller: 'kubelet', message: 'Back-off restarting failed container app' };
const scheduled: EventFacts = { type: 'Normal', reason: 'Scheduled', kind: 'Pod', name: 'web-1', namespace: 'shop', controller: 'default-scheduler', message: 'Successfully assigned shop/web-1' };

describe('Event rules', () => {
  it('with no Event rule, Warning events notify and Normal ones do not', () => {
    expect(names(eventRulesFor([], backoff))).toEqual(['warning-events']);
    expect(eventRulesFor([], scheduled)).toEqual([]);
    // Audit rules do not count as Event rules.
    expect(names(eventRulesFor([compileRule(rule('a', { source: 'Audit' }))], backoff))).toEqual(['warning-events']);
  });

  it('a disabled Event rule still replaces the default (one way to turn Event notifications off)', () => {
    expect(eventRulesFor([compileRule(rule('off', { source: 'Event', enabled: false }))], backoff)).toEqual([]);
  });

  type Case = [string, RuleSpec['event'], EventFacts, boolean];
  const cases: Case[] = [
    ['no matcher matches everything', undefined, scheduled, true],
    ['type', { type: ['Warning'] }, backoff, true],
    ['type (other)', { type: ['Warning'] }, scheduled, false],
    ['reason', { reasons: ['BackOff', 'Failed'] }, backoff, true],
    ['reason (other)', { reasons: ['Failed'] }, backoff, false],
    ['involved kind', { involvedObject: { kinds: ['Pod'] } }, backoff, true],
    ['involved kind (other)', { involvedObject: { kinds: ['Node'] } }, backoff, false],
    ['involved name', { involvedObject: { names: ['web-1'] } }, backoff, true],
    ['involved name (other)', { involvedObject: { names: ['web-2'] } }, backoff, false],
    ['involved namespace', { involvedObject: { namespaces: ['shop'] } }, backoff, true],
    ['involved namespace (other)', { involvedObject: { namespaces: ['kube-system'] } }, backoff, false],
    ['reporting controller', { reportingControllers: ['kubelet'] }, backoff, true],
    ['reporting controller (other)', { reportingControllers: ['kubelet'] }, scheduled, false],
    ['message regex searches', { messageRegex: 'restarting .* container' }, backoff, true],
    ['message regex (no match)', { messageRegex: '^OOM' }, backoff, false],
    ['an empty list constrains nothing', { reasons: [] }, scheduled, true],
    ['every given field must match', { type: ['Warning'], reasons: ['Scheduled'] }, backoff, false],
  ];
  it.each(cases)('%s', (_name, event, facts, want) => {
    const compiled = compileRule(rule('r', { source: 'Event', ...(event ? { event } : {}) }));
    expect(eventRulesFor([compiled], facts).length > 0).toBe(want);
  });

  it('every enabled matching rule selects; disabled ones do not', () => {
    const rules = [
      compileRule(rule('pods', { source: 'Event', event: { involvedObject: { kinds: ['Pod'] } } })),
      compileRule(rule('backoff', { source: 'Event', event: { reasons: ['BackOff'] } })),
      compileRule(rule('off', { source: 'Event', enabled: false })),
      compileRule(rule('nodes', { source: 'Event', event: { involvedObject: { kinds: ['Node'] } } })),
    ];
    expect(names(eventRulesFor(rules, backoff))).toEqual(['pods', 'backoff']);
  });
});

const read: AuditFacts = { stage: 'ResponseComplete', verb: 'get', group: '', resource: 'secrets', subresource: '', namespace: 'shop', name: 'db', user: 'alice', groups: ['dev', 'system:authenticated'], userAgent: 'kubectl/v1.35.0 (linux/amd64)', code: 200 };
const exec: AuditFacts = { ...read, verb: 'create', resource: 'pods', subresource: 'exec', name: 'web-1', code: 101 };
const bindingByController: AuditFacts = { ...read, verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'rolebindings', name: 'b', user: 'system:serviceaccount:kube-system:ctrl', userAgent: 'kube-controller-manager', code: 201 };

describe('Audit rules', () => {
  it('without a rule nothing is selected', () => {
    expect(auditRulesFor([], read)).toEqual([]);
    expect(auditRulesFor([compileRule(rule('e', { source: 'Event' }))], read)).toEqual([]);
    expect(auditRulesFor([compileRule(rule('off', { source: 'Audit', enabled: false }))], read)).toEqual([]);
  });

  type Case = [string, RuleSpec['audit'], AuditFacts, boolean];
  const cases: Case[] = [
    ['no matcher matches everything', undefined, read, true],
    ['stage', { stages: ['ResponseComplete'] }, read, true],
    ['stage (other)', { stages: ['ResponseStarted'] }, read, false],
    ['verb', { verbs: ['get', 'list'] }, read, true],
    ['verb (other)', { verbs: ['delete'] }, read, false],
    ['resource in the core group', { resources: [{ resource: 'secrets' }] }, read, true],
    ['resource: an absent group is the core group', { resources: [{ resource: 'rolebindings' }] }, bindingByController, false],
    ['resource with its group', { resources: [{ group: 'rbac.authorization.k8s.io', resource: 'rolebindings' }] }, bindingByController, true],
    ['resource "*" in a group', { resources: [{ group: 'rbac.authorization.k8s.io', resource: '*' }] }, bindingByController, true],
    ['resource without subresource is the resource itself', { resources: [{ resource: 'pods' }] }, exec, false],
    ['subresource', { resources: [{ resource: 'pods', subresource: 'exec' }] }, exec, true],
    ['subresource (other)', { resources: [{ resource: 'pods', subresource: 'attach' }] }, exec, false],
    ['subresource "*"', { resources: [{ resource: 'pods', subresource: '*' }] }, exec, true],
    ['namespace', { namespaces: ['shop'] }, read, true],
    ['namespace (other)', { namespaces: ['kube-system'] }, read, false],
    ['name', { names: ['db'] }, read, true],
    ['name (other)', { names: ['cache'] }, read, false],
    ['user', { users: ['alice'] }, read, true],
    ['user (other)', { users: ['bob'] }, read, false],
    ['any one group', { userGroups: ['ops', 'dev'] }, read, true],
    ['groups (none shared)', { userGroups: ['ops'] }, read, false],
    ['user regex: people, not system users', { userRegex: NOT_SYSTEM }, read, true],
    ['user regex: a service account is a system user', { userRegex: NOT_SYSTEM }, bindingByController, false],
    ['user agent regex searches', { userAgentRegex: 'kubectl/' }, read, true],
    ['user agent regex (no match)', { userAgentRegex: '^curl' }, read, false],
    ['response code', { responseCodes: [401, 403] }, { ...read, code: 403 }, true],
    ['response code (other)', { responseCodes: [401, 403] }, read, false],
    ['response code (none given by the server)', { responseCodes: [200] }, { ...read, code: undefined }, false],
  ];
  it.each(cases)('%s', (_name, audit, facts, want) => {
    const compiled = compileRule(rule('r', { source: 'Audit', ...(audit ? { audit } : {}) }));
    expect(auditRulesFor([compiled], facts).length > 0).toBe(want);
  });
});

describe('compileRule', () => {
  it.each([
    [{ source: 'Event', event: { messageRegex: '(' } }, 'spec.event.messageRegex: invalid regular expression'],
    [{ source: 'Audit', audit: { userAgentRegex: '[' } }, 'spec.audit.userAgentRegex: invalid regular expression'],
    [{ source: 'Audit', audit: { userRegex: '*' } }, 'spec.audit.userRegex: invalid regular expression'],
    [{ source: 'Audit', audit: { userRegex: '^(?!system:)' } }, 'spec.audit.userRegex: unsupported regular expression syntax: negative lookahead (?!…) is not supported (patterns use RE2 syntax'],
    [{ source: 'Event', event: { messageRegex: '(a)\\1' } }, 'spec.event.messageRegex: unsupported regular expression syntax: a backreference'],
    [{ source: 'Audit', rateLimit: { count: 1, per: 'soon' } }, 'spec.rateLimit.per: invalid duration'],
    [{ source: 'Audit', rateLimit: { count: 1, per: '0s' } }, 'spec.rateLimit.per: must be longer than 0s'],
  ] as [RuleSpec, string][])('refuses %j naming the field', (spec, message) => {
    expect(() => compileRule(rule('bad', spec))).toThrow(message);
  });
});

describe('Rule regexes run on RE2', () => {
  // Finding F7. The test's normal timeout is the assertion (test/support/redos.ts).
  const evil = EVIL_INPUT;

  it('in linear time: a catastrophic messageRegex against a long message returns', () => {
    const compiled = compileRule(rule('r', { source: 'Event', event: { messageRegex: CATASTROPHIC } }));
    expect(eventRulesFor([compiled], { ...backoff, message: evil })).toEqual([]);
    expect(names(eventRulesFor([compiled], { ...backoff, message: 'aaaa' }))).toEqual(['r']);
  });

  it('in linear time: catastrophic userRegex and userAgentRegex return', () => {
    const byUser = compileRule(rule('u', { source: 'Audit', audit: { userRegex: CATASTROPHIC } }));
    const byAgent = compileRule(rule('ua', { source: 'Audit', audit: { userAgentRegex: CATASTROPHIC } }));
    expect(auditRulesFor([byUser, byAgent], { ...read, user: evil, userAgent: evil })).toEqual([]);
  });
});

describe('RateLimiter', () => {
  it('lets count through per window, then nothing until the next window; rules are counted apart', () => {
    const limiter = new RateLimiter();
    const a = { name: 'a', rateLimit: { count: 2, perMs: 60_000 } };
    const b = { name: 'b', rateLimit: { count: 1, perMs: 60_000 } };
    expect([0, 1, 2, 3].map((t) => limiter.allow(a, t))).toEqual([true, true, false, false]);
    expect(limiter.allow(b, 3)).toBe(true);
    expect(limiter.allow(b, 4)).toBe(false);
    expect(limiter.allow(a, 60_000)).toBe(true);
    expect(limiter.allow({ name: 'free', rateLimit: undefined }, 5)).toBe(true);
  });
});

describe('Rules in the configuration', () => {
  it('a Rule from a folder or the cluster is compiled into the snapshot; a bad one is left out as a problem naming the field', () => {
    const { input, problems } = sortObjects([
      { object: rule('good', { source: 'Audit', audit: { verbs: ['get'] } }), where: 'rules.yaml' },
      { object: rule('bad', { source: 'Event', event: { messageRegex: '(' } }), where: 'rules.yaml' },
      { object: rule('lookahead', { source: 'Audit', audit: { userRegex: '^(?!system:)' } }), where: 'rules.yaml' },
      { object: rule('wrong-source', { source: 'Logs' } as never), where: 'rules.yaml' },
    ]);
    expect(problems.map((p) => `${p.name}: ${p.message}`)).toEqual([expect.stringContaining('wrong-source: rules.yaml: spec.source')]);
    const snap = buildSnapshot(toSnapshotInput(input));
    expect(snap.rules.map((r) => r.name)).toEqual(['good']);
    expect(snap.problems).toEqual([
      { kind: 'Rule', name: 'bad', message: expect.stringContaining('spec.event.messageRegex: invalid regular expression') as string },
      { kind: 'Rule', name: 'lookahead', message: expect.stringContaining('spec.audit.userRegex: unsupported regular expression syntax: negative lookahead') as string },
    ]);
  });
});

describe('the shipped default Audit Rules (examples/rules/audit-defaults.yaml)', () => {
  const shipped = parseAllDocuments(readFileSync(new URL('../../../examples/rules/audit-defaults.yaml', import.meta.url), 'utf8')).map((d) => d.toJS() as Rule);
  const compiled = shipped.map(compileRule);

  it('are off until enabled: as shipped they select nothing', () => {
    expect(compiled.map((r) => [r.name, r.source, r.enabled])).toEqual([
      ['exec-attach-portforward', 'Audit', false],
      ['secret-reads-by-people', 'Audit', false],
      ['rbac-changes', 'Audit', false],
      ['denied-requests', 'Audit', false],
    ]);
    for (const facts of [read, exec, bindingByController, { ...read, code: 403 }]) expect(auditRulesFor(compiled, facts)).toEqual([]);
  });

  it('once enabled, each selects what its name says', () => {
    const on = compiled.map((r) => ({ ...r, enabled: true }));
    expect(names(auditRulesFor(on, exec))).toEqual(['exec-attach-portforward']);
    expect(names(auditRulesFor(on, read))).toEqual(['secret-reads-by-people']);
    expect(names(auditRulesFor(on, { ...read, user: 'system:serviceaccount:kube-system:ctrl' }))).toEqual([]);
    // The RE2 spelling of "does not start with system:" (no lookahead) keeps names that are near it.
    for (const user of ['s', 'sys', 'system', 'systemd-admin', 'system-admin', 'ops:system:x']) {
      expect(names(auditRulesFor(on, { ...read, user }))).toEqual(['secret-reads-by-people']);
    }
    expect(names(auditRulesFor(on, bindingByController))).toEqual(['rbac-changes']);
    expect(names(auditRulesFor(on, { ...read, resource: 'configmaps', code: 403 }))).toEqual(['denied-requests']);
  });
});
