import { describe, expect, it } from 'vitest';
import type { LabelSelector } from '../api/common.js';
import { SelectorError, compileSelector, isEmptySelector, matchesSelector } from './selector.js';
import { CATASTROPHIC, EVIL_INPUT } from '../../../test/support/redos.js';

const alert = { alertname: 'KubePodCrashLooping', namespace: 'team-a', severity: 'critical', cluster: 'member-a' };

describe('matchesSelector', () => {
  it.each<[string, LabelSelector | undefined, Record<string, string>, boolean]>([
    ['absent selector matches all', undefined, alert, true],
    ['empty selector matches all', {}, alert, true],
    ['matchLabels equal', { matchLabels: { namespace: 'team-a' } }, alert, true],
    ['matchLabels differs', { matchLabels: { namespace: 'team-b' } }, alert, false],
    ['matchLabels missing key', { matchLabels: { tenant: 'x' } }, alert, false],
    ['matchLabels empty value needs the key', { matchLabels: { tenant: '' } }, alert, false],
    ['matchLabels all must hold', { matchLabels: { namespace: 'team-a', severity: 'warning' } }, alert, false],
    ['In hit', { matchExpressions: [{ key: 'severity', operator: 'In', values: ['warning', 'critical'] }] }, alert, true],
    ['In miss', { matchExpressions: [{ key: 'severity', operator: 'In', values: ['info'] }] }, alert, false],
    ['In on missing key', { matchExpressions: [{ key: 'tenant', operator: 'In', values: ['a'] }] }, alert, false],
    ['NotIn hit', { matchExpressions: [{ key: 'severity', operator: 'NotIn', values: ['info'] }] }, alert, true],
    ['NotIn miss', { matchExpressions: [{ key: 'severity', operator: 'NotIn', values: ['critical'] }] }, alert, false],
    ['NotIn on missing key matches', { matchExpressions: [{ key: 'tenant', operator: 'NotIn', values: ['a'] }] }, alert, true],
    ['Exists', { matchExpressions: [{ key: 'cluster', operator: 'Exists' }] }, alert, true],
    ['Exists missing', { matchExpressions: [{ key: 'tenant', operator: 'Exists' }] }, alert, false],
    ['DoesNotExist', { matchExpressions: [{ key: 'tenant', operator: 'DoesNotExist' }] }, alert, true],
    ['DoesNotExist present', { matchExpressions: [{ key: 'cluster', operator: 'DoesNotExist' }] }, alert, false],
    ['Match whole value', { matchExpressions: [{ key: 'alertname', operator: 'Match', regexValue: 'KubePod.*' }] }, alert, true],
    ['Match is anchored', { matchExpressions: [{ key: 'alertname', operator: 'Match', regexValue: 'Pod' }] }, alert, false],
    ['Match alternation is anchored', { matchExpressions: [{ key: 'namespace', operator: 'Match', regexValue: 'team-b|team' }] }, alert, false],
    ['Match alternation hit', { matchExpressions: [{ key: 'namespace', operator: 'Match', regexValue: 'team-b|team-a' }] }, alert, true],
    // Notification Manager #257: a regex silence muted alerts that lack the key.
    ['Match never matches a missing key', { matchExpressions: [{ key: 'tenant', operator: 'Match', regexValue: '.*' }] }, alert, false],
    ['Match with Chinese text', { matchExpressions: [{ key: 'msg', operator: 'Match', regexValue: '磁盘.*' }] }, { msg: '磁盘已满' }, true],
    ['labels and expressions together', { matchLabels: { cluster: 'member-a' }, matchExpressions: [{ key: 'severity', operator: 'In', values: ['critical'] }] }, alert, true],
    ['labels and expressions, one fails', { matchLabels: { cluster: 'member-b' }, matchExpressions: [{ key: 'severity', operator: 'In', values: ['critical'] }] }, alert, false],
    ['prototype keys are not labels', { matchExpressions: [{ key: 'constructor', operator: 'Exists' }] }, {}, false],
  ])('%s', (_name, selector, labels, want) => {
    expect(matchesSelector(selector, labels)).toBe(want);
  });
});

describe('compileSelector errors name the field', () => {
  it.each<[string, LabelSelector, string]>([
    ['bad regex', { matchExpressions: [{ key: 'a', operator: 'Match', regexValue: '(' }] }, 'alertSelector.matchExpressions[0].regexValue'],
    ['Match without regexValue', { matchExpressions: [{ key: 'a', operator: 'Match' }] }, 'alertSelector.matchExpressions[0].regexValue'],
    ['In without values', { matchExpressions: [{ key: 'a', operator: 'Exists' }, { key: 'b', operator: 'In' }] }, 'alertSelector.matchExpressions[1].values'],
    ['unknown operator', { matchExpressions: [{ key: 'a', operator: 'Like' as 'In', values: ['x'] }] }, 'alertSelector.matchExpressions[0].operator'],
  ])('%s', (_name, selector, field) => {
    let caught: unknown;
    try {
      compileSelector(selector, 'alertSelector');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SelectorError);
    expect((caught as SelectorError).field).toBe(field);
    expect((caught as Error).message.startsWith(`${field}: `)).toBe(true);
  });
});

describe('Match runs on RE2', () => {
  const match = (regexValue: string): LabelSelector => ({ matchExpressions: [{ key: 'x', operator: 'Match', regexValue }] });

  it('in linear time: a catastrophic pattern on a long label value returns (RegExp would not)', () => {
    // Finding F7. The test's normal timeout is the assertion (test/support/redos.ts).
    expect(matchesSelector(match(CATASTROPHIC), { x: EVIL_INPUT })).toBe(false);
    expect(matchesSelector(match('(a+)+'), { x: 'a'.repeat(100) })).toBe(true);
  });

  it('refuses JavaScript-only syntax with a SelectorError naming the field and saying why', () => {
    let caught: unknown;
    try {
      compileSelector(match('(?=a)a'), 'spec.alertSelector');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SelectorError);
    expect((caught as SelectorError).field).toBe('spec.alertSelector.matchExpressions[0].regexValue');
    expect((caught as Error).message).toBe(
      'spec.alertSelector.matchExpressions[0].regexValue: unsupported regular expression syntax: lookahead (?=…) is not supported (patterns use RE2 syntax, as Alertmanager and Notification Manager do)',
    );
  });

  it('accepts RE2 syntax RegExp did not', () => {
    expect(matchesSelector(match('(?i)team-(?P<t>[a-z])'), { x: 'TEAM-b' })).toBe(true);
  });
});

describe('isEmptySelector', () => {
  it.each<[LabelSelector | undefined, boolean]>([
    [undefined, true],
    [{}, true],
    [{ matchLabels: {} , matchExpressions: [] }, true],
    [{ matchLabels: { a: 'b' } }, false],
    [{ matchExpressions: [{ key: 'a', operator: 'Exists' }] }, false],
  ])('%j → %s', (selector, want) => expect(isEmptySelector(selector)).toBe(want));
});
