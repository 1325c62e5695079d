import { describe, expect, it } from 'vitest';
import type { RouterSpec } from '@herald/shared';
import { buildSnapshot, type SnapshotInput } from '../config/snapshot.js';
import { route } from './route.js';
import { receiver, router, silence, slack, email } from '../../../test/support/objects.js';
import { CATASTROPHIC, EVIL_INPUT } from '../../../test/support/redos.js';

const now = new Date('2026-11-21T12:00:00Z');
const G = { type: 'global' };
const T = (ns: string): Record<string, string> => ({ type: 'tenant', namespace: ns });

const base: SnapshotInput = {
  receivers: [
    receiver('ops', G, { ...slack(), ...email() }),
    receiver('team-a', T('team-a'), slack()),
    receiver('team-b', T('team-b'), email()),
    receiver('unscoped', { app: 'x' }, slack()),
    receiver('audit-only', G, { email: { to: ['s@example.com'], alertSelector: { matchLabels: { alerttype: 'auditing' } } } }),
    receiver('paused', G, { slack: { channels: ['#p'], enabled: false } }),
  ],
};
const keys = (input: SnapshotInput, labels: Record<string, string>): string[] =>
  route(labels, buildSnapshot(input), now).targets.map((t) => t.key);

describe('route', () => {
  it.each<[string, SnapshotInput, Record<string, string>, string[]]>([
    ['global receivers take everything; disabled and non-matching channels do not', base, { alertname: 'X' }, ['ops/email', 'ops/slack']],
    ['the tenant receives its own', base, { namespace: 'team-a' }, ['ops/email', 'ops/slack', 'team-a/slack']],
    ['alertSelector admits matching notifications', base, { alerttype: 'auditing' }, ['audit-only/email', 'ops/email', 'ops/slack']],
    ['a custom tenant key', { ...base, settings: { apiVersion: 'herald.dev/v1alpha1', kind: 'Settings', metadata: { name: 'default' }, spec: { tenantKey: 'user' } }, receivers: [receiver('u1', { type: 'tenant', user: 'u1' }, slack())] }, { user: 'u1', namespace: 'team-a' }, ['u1/slack']],
    ['router by name adds a receiver outside the tenant', { ...base, routers: [router('r', { alertSelector: { matchLabels: { severity: 'critical' } }, receivers: { name: ['unscoped'] } })] }, { severity: 'critical' }, ['ops/email', 'ops/slack', 'unscoped/slack']],
    ['router by tenant channel, limited to a type', { ...base, routers: [router('r', { alertSelector: {}, receivers: { channels: [{ tenant: 'team-b', type: ['email'] }] } })] }, { namespace: 'team-a' }, ['ops/email', 'ops/slack', 'team-a/slack', 'team-b/email']],
    ['router by regex name', { ...base, routers: [router('r', { alertSelector: {}, receivers: { regexName: 'team-.*' } })] }, {}, ['ops/email', 'ops/slack', 'team-a/slack', 'team-b/email']],
    ['router by selector with a type filter', { ...base, routers: [router('r', { alertSelector: {}, receivers: { selector: { matchLabels: { type: 'global' } }, type: ['slack'] } })] }, {}, ['ops/email', 'ops/slack']],
    ['a disabled router does nothing', { ...base, routers: [router('r', { enabled: false, alertSelector: {}, receivers: { name: ['unscoped'] } })] }, {}, ['ops/email', 'ops/slack']],
    ['RouterOnly: only routers', { ...base, settings: { apiVersion: 'herald.dev/v1alpha1', kind: 'Settings', metadata: { name: 'default' }, spec: { routePolicy: 'RouterOnly' } }, routers: [router('r', { alertSelector: { matchLabels: { severity: 'critical' } }, receivers: { name: ['unscoped'] } })] }, { severity: 'critical', namespace: 'team-a' }, ['unscoped/slack']],
    ['RouterOnly with no router matching: nobody', { ...base, settings: { apiVersion: 'herald.dev/v1alpha1', kind: 'Settings', metadata: { name: 'default' }, spec: { routePolicy: 'RouterOnly' } } }, { namespace: 'team-a' }, []],
    ['RouterFirst: a matching router wins', { ...base, settings: { apiVersion: 'herald.dev/v1alpha1', kind: 'Settings', metadata: { name: 'default' }, spec: { routePolicy: 'RouterFirst' } }, routers: [router('r', { alertSelector: { matchLabels: { severity: 'critical' } }, receivers: { name: ['unscoped'] } })] }, { severity: 'critical', namespace: 'team-a' }, ['unscoped/slack']],
    ['RouterFirst: no router matching falls back to tenant + global', { ...base, settings: { apiVersion: 'herald.dev/v1alpha1', kind: 'Settings', metadata: { name: 'default' }, spec: { routePolicy: 'RouterFirst' } }, routers: [router('r', { alertSelector: { matchLabels: { severity: 'critical' } }, receivers: { name: ['unscoped'] } })] }, { severity: 'info', namespace: 'team-a' }, ['ops/email', 'ops/slack', 'team-a/slack']],
    ['a tenant silence mutes only that tenant', { ...base, silences: [silence('s', T('team-a'), { matcher: { matchLabels: { alertname: 'X' } } })] }, { alertname: 'X', namespace: 'team-a' }, ['ops/email', 'ops/slack']],
    ['an expired one-off silence mutes nothing', { ...base, silences: [silence('s', G, { matcher: {}, startsAt: '2026-11-20T00:00:00Z', duration: '1h' })] }, { namespace: 'team-a' }, ['ops/email', 'ops/slack', 'team-a/slack']],
  ])('%s', (_name, input, labels, want) => expect(keys(input, labels)).toEqual(want));

  it("takes a Router's type as one channel (Notification Manager's form) or as a list", () => {
    const routerOnly: SnapshotInput = { ...base, settings: { apiVersion: 'herald.dev/v1alpha1', kind: 'Settings', metadata: { name: 'default' }, spec: { routePolicy: 'RouterOnly' } } };
    const via = (receivers: RouterSpec['receivers']): string[] =>
      keys({ ...routerOnly, routers: [router('r', { alertSelector: {}, receivers })] }, { namespace: 'team-a' });
    expect(via({ name: ['ops'], type: 'email' })).toEqual(['ops/email']);
    expect(via({ name: ['ops'], type: ['slack'] })).toEqual(['ops/slack']);
    expect(via({ name: ['ops'], type: ['email', 'slack'] })).toEqual(['ops/email', 'ops/slack']);
    expect(via({ channels: [{ tenant: 'team-a', type: 'slack' }] })).toEqual(['team-a/slack']);
    expect(via({ channels: [{ tenant: 'team-a', type: 'email' }] })).toEqual([]);
    expect(via({ channels: [{ tenant: 'team-b', type: ['email'] }] })).toEqual(['team-b/email']);
  });

  it('a global silence drops the notification and says which', () => {
    const snap = buildSnapshot({ ...base, silences: [silence('maint', G, { matcher: { matchExpressions: [{ key: 'alertname', operator: 'Match', regexValue: 'Node.*' }] } })] });
    expect(route({ alertname: 'NodeDown' }, snap, now)).toEqual({ targets: [], silencedBy: 'maint' });
    // The regex silence does not mute notifications that lack the label (Notification Manager #257).
    expect(route({ namespace: 'team-a' }, snap, now).targets).toHaveLength(3);
  });

  it('reports an unusable object as a problem and routes with the rest', () => {
    const snap = buildSnapshot({
      ...base,
      silences: [silence('bad-cron', G, { matcher: {}, schedule: 'every night', duration: '1h' })],
      routers: [router('bad-regex', { alertSelector: {}, receivers: { regexName: '(' } })],
    });
    expect(snap.problems.map((p) => [p.kind, p.name, p.message.split(':')[0]])).toEqual([
      ['Router', 'bad-regex', 'spec.receivers.regexName'],
      ['Silence', 'bad-cron', 'spec.schedule'],
    ]);
    expect(route({}, snap, now).targets.map((t) => t.key)).toEqual(['ops/email', 'ops/slack']);
  });
});

describe('user regexes in routing run on RE2', () => {
  // Finding F7. The test's normal timeout is the assertion (test/support/redos.ts).
  const evil = EVIL_INPUT;
  const lookahead = 'unsupported regular expression syntax: lookahead (?=…) is not supported (patterns use RE2 syntax, as Alertmanager and Notification Manager do)';
  const settings = (spec: Record<string, unknown>) => ({ apiVersion: 'herald.dev/v1alpha1' as const, kind: 'Settings' as const, metadata: { name: 'default' }, spec });

  it('a Router regexName that is catastrophic on a backtracking engine routes in linear time', () => {
    const snap = buildSnapshot({ ...base, receivers: [...(base.receivers ?? []), receiver(evil, { app: 'x' }, slack())], routers: [router('r', { alertSelector: {}, receivers: { regexName: CATASTROPHIC } })] });
    expect(snap.problems).toEqual([]);
    expect(route({}, snap, now).targets.map((t) => t.key)).toEqual(['ops/email', 'ops/slack']);
  });

  it('a selector Match that is catastrophic on a backtracking engine routes in linear time', () => {
    const match = { matchExpressions: [{ key: 'x', operator: 'Match' as const, regexValue: CATASTROPHIC }] };
    const snap = buildSnapshot({ ...base, routers: [router('r', { alertSelector: match, receivers: { name: ['unscoped'] } })], silences: [silence('s', G, { matcher: match })] });
    expect(route({ x: evil }, snap, now).targets.map((t) => t.key)).toEqual(['ops/email', 'ops/slack']);
    expect(route({ x: 'aaa' }, snap, now)).toEqual({ targets: [], silencedBy: 's' });
  });

  it('JavaScript-only syntax is a problem naming the object and field; the agent routes with the rest', () => {
    const bad = { matchExpressions: [{ key: 'x', operator: 'Match' as const, regexValue: '(?=a)a' }] };
    const snap = buildSnapshot({
      ...base,
      receivers: [...(base.receivers ?? []), receiver('bad-alerts', G, { slack: { channels: ['#b'], alertSelector: bad } }), receiver('bad-config', G, { slack: { channels: ['#b'], slackConfigSelector: bad } })],
      routers: [router('bad-name', { alertSelector: {}, receivers: { regexName: '(?=a)a' } }), router('bad-selector', { alertSelector: bad, receivers: { name: ['ops'] } })],
      silences: [silence('bad-silence', G, { matcher: bad })],
    });
    expect(snap.problems.map((p) => [p.kind, p.name, p.message])).toEqual([
      ['Receiver', 'bad-alerts', `spec.slack.alertSelector.matchExpressions[0].regexValue: ${lookahead}`],
      ['Receiver', 'bad-config', `spec.slack.slackConfigSelector.matchExpressions[0].regexValue: ${lookahead}`],
      ['Router', 'bad-name', `spec.receivers.regexName: ${lookahead}`],
      ['Router', 'bad-selector', `spec.alertSelector.matchExpressions[0].regexValue: ${lookahead}`],
      ['Silence', 'bad-silence', `spec.matcher.matchExpressions[0].regexValue: ${lookahead}`],
    ]);
    expect(route({ x: 'a' }, snap, now).targets.map((t) => t.key)).toEqual(['ops/email', 'ops/slack']);
  });

  it('a Settings selector with JavaScript-only syntax is a problem for Settings, which falls back to its defaults', () => {
    const snap = buildSnapshot({ ...base, settings: settings({ tenantReceiverSelector: { matchExpressions: [{ key: 'type', operator: 'Match', regexValue: 'ten(?!x)ant' }] } }) });
    expect(snap.problems).toEqual([
      { kind: 'Settings', name: 'default', message: expect.stringContaining('spec.tenantReceiverSelector.matchExpressions[0].regexValue: unsupported regular expression syntax: negative lookahead') as string },
    ]);
    expect(route({ namespace: 'team-a' }, snap, now).targets.map((t) => t.key)).toEqual(['ops/email', 'ops/slack', 'team-a/slack']);
  });
});

/** A small deterministic PRNG, so the property test is reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

describe('property: a tenant never receives another tenant’s notifications', () => {
  it('holds for 2,000 random configurations and notifications', () => {
    const rand = rng(42);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
    const tenants = ['team-a', 'team-b', 'team-c', 'team-d'];
    for (let round = 0; round < 2000; round++) {
      const receivers = Array.from({ length: 1 + Math.floor(rand() * 8) }, (_, i) => {
        const tenant = pick(tenants);
        const scope: Record<string, string> = rand() < 0.2 ? { type: 'global' } : { type: 'tenant', namespace: tenant };
        const spec = rand() < 0.5 ? slack() : { ...email(), ...(rand() < 0.3 ? slack() : {}) };
        return receiver(`r${i}`, scope, spec);
      });
      const silences = rand() < 0.3 ? [silence('s', { type: 'tenant', namespace: pick(tenants) }, { matcher: {} })] : [];
      const snap = buildSnapshot({ receivers, silences });
      const ns = pick([...tenants, undefined]);
      const labels: Record<string, string> = { alertname: `A${round}`, ...(ns ? { namespace: ns } : {}) };
      for (const target of route(labels, snap, now).targets) {
        const r = snap.receivers.find((x) => x.name === target.receiver);
        if (r?.scope.kind === 'tenant') expect(r.scope.tenant, JSON.stringify({ labels, target })).toBe(ns);
      }
    }
  });
});
