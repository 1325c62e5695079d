import { describe, expect, it } from 'vitest';
import type { InhibitRule } from '@herald/shared';
import { buildSnapshot, type Scope } from '../config/snapshot.js';
import { inhibitRule } from '../../../test/support/objects.js';
import { compileInhibitRule, equalKey, inhibitedBy, listLookup, type CompiledInhibitRule, type SourceAlert } from './inhibit.js';

const GLOBAL: Scope = { kind: 'global' };
const tenant = (t: string): Scope => ({ kind: 'tenant', tenant: t });
const NONE: Scope = { kind: 'none' };

const rule = (name: string, spec: InhibitRule['spec'], scope: Scope = GLOBAL): CompiledInhibitRule => compileInhibitRule(inhibitRule(name, {}, spec), scope);
const src = (labels: Record<string, string>, fingerprint = JSON.stringify(labels)): SourceAlert => ({ fingerprint, labels });

/** The classic one: a node down mutes the pod alerts of that node. */
const nodeDown = rule('node-down', { sourceMatch: { matchLabels: { alertname: 'NodeDown' } }, targetMatch: { matchLabels: { severity: 'warning' } }, equal: ['node'] });
/** Critical mutes warning of the same alert, Alertmanager's stock example (both sides can match one alert). */
const critical = rule('critical-over-warning', {
  sourceMatch: { matchLabels: { severity: 'critical' } },
  targetMatch: { matchExpressions: [{ key: 'severity', operator: 'In', values: ['warning', 'critical'] }] },
  equal: ['alertname', 'cluster'],
});

describe('inhibitedBy', () => {
  it.each<[string, CompiledInhibitRule[], SourceAlert[], Record<string, string>, Scope, string | undefined]>([
    ['a firing source mutes a target with the same equal labels', [nodeDown], [src({ alertname: 'NodeDown', node: 'n1' })], { alertname: 'PodNotReady', severity: 'warning', node: 'n1' }, GLOBAL, 'node-down'],
    ['an equal label with another value does not', [nodeDown], [src({ alertname: 'NodeDown', node: 'n2' })], { alertname: 'PodNotReady', severity: 'warning', node: 'n1' }, GLOBAL, undefined],
    ['an equal label missing on both sides counts as equal', [nodeDown], [src({ alertname: 'NodeDown' })], { alertname: 'PodNotReady', severity: 'warning' }, GLOBAL, 'node-down'],
    ['an equal label missing on the source only does not match', [nodeDown], [src({ alertname: 'NodeDown' })], { alertname: 'PodNotReady', severity: 'warning', node: 'n1' }, GLOBAL, undefined],
    ['an equal label missing on the target only does not match', [nodeDown], [src({ alertname: 'NodeDown', node: 'n1' })], { alertname: 'PodNotReady', severity: 'warning' }, GLOBAL, undefined],
    ['a missing label equals an empty value, as in Alertmanager', [nodeDown], [src({ alertname: 'NodeDown', node: '' })], { alertname: 'PodNotReady', severity: 'warning' }, GLOBAL, 'node-down'],
    ['no equal labels: any source mutes every target', [rule('any', { sourceMatch: { matchLabels: { alertname: 'ClusterDown' } }, targetMatch: {} })], [src({ alertname: 'ClusterDown' })], { alertname: 'Anything' }, GLOBAL, 'any'],
    ['a notification outside targetMatch is not muted', [nodeDown], [src({ alertname: 'NodeDown', node: 'n1' })], { alertname: 'PodNotReady', severity: 'critical', node: 'n1' }, GLOBAL, undefined],
    ['no source, no muting', [nodeDown], [], { alertname: 'PodNotReady', severity: 'warning', node: 'n1' }, GLOBAL, undefined],
    ['a source outside sourceMatch mutes nothing', [nodeDown], [src({ alertname: 'NodeFlapping', node: 'n1' })], { alertname: 'PodNotReady', severity: 'warning', node: 'n1' }, GLOBAL, undefined],
    ['the critical alert mutes its warning', [critical], [src({ alertname: 'DiskFull', cluster: 'a', severity: 'critical' })], { alertname: 'DiskFull', cluster: 'a', severity: 'warning' }, GLOBAL, 'critical-over-warning'],
    ['an alert matching both sides is not muted by itself', [critical], [src({ alertname: 'DiskFull', cluster: 'a', severity: 'critical' })], { alertname: 'DiskFull', cluster: 'a', severity: 'critical' }, GLOBAL, undefined],
    [
      'nor by a peer that matches both sides too',
      [critical],
      [src({ alertname: 'DiskFull', cluster: 'a', severity: 'critical', disk: 'sdb' })],
      { alertname: 'DiskFull', cluster: 'a', severity: 'critical', disk: 'sda' },
      GLOBAL,
      undefined,
    ],
    [
      'but a two-sided target is muted by a source that matches only the source side',
      [rule('critical-over-disk', { sourceMatch: { matchLabels: { severity: 'critical' } }, targetMatch: { matchLabels: { alertname: 'DiskFull' } } })],
      [src({ alertname: 'DiskFull', severity: 'critical', disk: 'sdb' }), src({ alertname: 'NodeDown', severity: 'critical' })],
      { alertname: 'DiskFull', severity: 'critical', disk: 'sda' },
      GLOBAL,
      'critical-over-disk',
    ],
    [
      'a Match (RE2) target side',
      [rule('down-over-down', { sourceMatch: { matchLabels: { alertname: 'NodeDown' } }, targetMatch: { matchExpressions: [{ key: 'alertname', operator: 'Match', regexValue: 'Node.*' }] }, equal: ['node'] })],
      [src({ alertname: 'NodeDown', node: 'n1' })],
      { alertname: 'NodeUnreachable', node: 'n1' },
      GLOBAL,
      'down-over-down',
    ],
    ['a Match (RE2) source side', [rule('re', { sourceMatch: { matchExpressions: [{ key: 'alertname', operator: 'Match', regexValue: '(?i)kube.*down' }] }, targetMatch: {}, equal: ['namespace'] })], [src({ alertname: 'KubeAPIDown', namespace: 'prod' })], { alertname: 'X', namespace: 'prod' }, GLOBAL, 're'],
    ['a global rule mutes for a tenant receiver', [nodeDown], [src({ alertname: 'NodeDown' })], { severity: 'warning' }, tenant('team-a'), 'node-down'],
    ['a global rule mutes for a receiver in no scope', [nodeDown], [src({ alertname: 'NodeDown' })], { severity: 'warning' }, NONE, 'node-down'],
    ['a tenant rule mutes for that tenant', [rule('t', { sourceMatch: { matchLabels: { alertname: 'NodeDown' } }, targetMatch: {} }, tenant('team-a'))], [src({ alertname: 'NodeDown' })], { alertname: 'X' }, tenant('team-a'), 't'],
    ['not for another tenant', [rule('t', { sourceMatch: { matchLabels: { alertname: 'NodeDown' } }, targetMatch: {} }, tenant('team-a'))], [src({ alertname: 'NodeDown' })], { alertname: 'X' }, tenant('team-b'), undefined],
    ['nor for a global receiver', [rule('t', { sourceMatch: { matchLabels: { alertname: 'NodeDown' } }, targetMatch: {} }, tenant('team-a'))], [src({ alertname: 'NodeDown' })], { alertname: 'X' }, GLOBAL, undefined],
    [
      'a global rule is named before a tenant rule',
      [rule('a-tenant', { sourceMatch: { matchLabels: { alertname: 'NodeDown' } }, targetMatch: {} }, tenant('team-a')), rule('z-global', { sourceMatch: { matchLabels: { alertname: 'NodeDown' } }, targetMatch: {} })],
      [src({ alertname: 'NodeDown' })],
      { alertname: 'X' },
      tenant('team-a'),
      'z-global',
    ],
  ])('%s', (_name, rules, sources, labels, scope, want) => {
    expect(inhibitedBy(rules, listLookup(sources), labels, scope)).toBe(want);
  });

  it('equal labels given twice or out of order are one set', () => {
    const r = rule('r', { sourceMatch: {}, targetMatch: {}, equal: ['node', 'cluster', 'node'] });
    expect(r.equal).toEqual(['cluster', 'node']);
    expect(equalKey({ node: 'n1', cluster: 'c' }, r.equal)).toBe(equalKey({ cluster: 'c', node: 'n1', other: 'x' }, r.equal));
    // Values are kept apart: no joining character can make two different pairs one key.
    expect(equalKey({ cluster: 'a","b', node: '' }, r.equal)).not.toBe(equalKey({ cluster: 'a', node: 'b' }, r.equal));
  });

  it('a bad pattern names the field', () => {
    expect(() => rule('bad', { sourceMatch: { matchExpressions: [{ key: 'a', operator: 'Match', regexValue: '(?=x)' }] }, targetMatch: {} })).toThrow(
      /spec\.sourceMatch\.matchExpressions\[0\]\.regexValue/,
    );
  });
});

describe('InhibitRules in a snapshot', () => {
  it('are scoped like Silences, sorted by name; a disabled one is left out, an unusable one reported', () => {
    const spec = { sourceMatch: { matchLabels: { alertname: 'NodeDown' } }, targetMatch: {} };
    const snap = buildSnapshot({
      inhibitRules: [
        inhibitRule('z-team', { type: 'tenant', namespace: 'team-a' }, spec),
        inhibitRule('a-global', { type: 'global' }, spec),
        inhibitRule('off', { type: 'global' }, { ...spec, enabled: false }),
        inhibitRule('unscoped', {}, spec),
        inhibitRule('bad-regex', { type: 'global' }, { ...spec, targetMatch: { matchExpressions: [{ key: 'a', operator: 'Match', regexValue: '(a)\\1' }] } }),
      ],
    });
    expect(snap.inhibitRules.map((r) => [r.name, r.scope])).toEqual([
      ['a-global', GLOBAL],
      ['z-team', tenant('team-a')],
    ]);
    expect(snap.problems.map((p) => [p.kind, p.name])).toEqual([
      ['InhibitRule', 'unscoped'],
      ['InhibitRule', 'bad-regex'],
    ]);
    expect(snap.problems[0]?.message).toContain('neither global nor a tenant');
    expect(snap.problems[1]?.message).toContain('spec.targetMatch.matchExpressions[0].regexValue');
  });
});
