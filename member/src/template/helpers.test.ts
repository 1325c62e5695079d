import { describe, expect, it } from 'vitest';
import { byStatus, formatTime, gt, helperTable, join, len, match, message, reReplaceAll, sortedPairs, title, translate } from './helpers.js';

describe('message', () => {
  const all = { summaryCn: '中文一', summary_cn: '中文二', message: 'the message', summary: 'the summary' };
  it.each([
    { language: 'zh-cn', annotations: all, want: '中文一' },
    { language: 'zh-cn', annotations: { ...all, summaryCn: '' }, want: '中文二' },
    { language: 'zh-cn', annotations: { message: 'the message', summary: 'the summary' }, want: 'the message' },
    { language: 'zh-cn', annotations: { summary: 'the summary' }, want: 'the summary' },
    { language: '', annotations: all, want: 'the message' },
    { language: '', annotations: { summaryCn: '中文一', summary: 'the summary' }, want: 'the summary' },
    { language: '', annotations: { message: '', summary: 'the summary' }, want: 'the summary' },
    { language: '', annotations: { summaryCn: '中文一' }, want: '' },
    { language: '', annotations: {}, want: '' },
  ])('$language $annotations → "$want"', ({ language, annotations, want }) => {
    expect(message({ annotations }, language)).toBe(want);
  });

  it.each([undefined, null, 'x', {}, { annotations: 'x' }])('tolerates %j', (alert) => {
    expect(message(alert, 'zh-cn')).toBe('');
  });
});

describe('formatTime', () => {
  it.each([
    { in: '', want: '' },
    { in: undefined, want: '' },
    { in: null, want: '' },
    { in: '0001-01-01T00:00:00Z', want: '' },
    { in: '0001-01-01T00:00:00.000Z', want: '' },
    { in: '2024-05-06T07:08:09Z', want: '2024-05-06 07:08:09 UTC' },
    { in: '2024-05-06T09:08:09.123+02:00', want: '2024-05-06 07:08:09 UTC' },
    { in: 0, want: '1970-01-01 00:00:00 UTC' },
    { in: new Date('2030-12-31T23:59:59Z'), want: '2030-12-31 23:59:59 UTC' },
    { in: 'not a time', want: 'not a time' },
  ])('$in → "$want"', ({ in: value, want }) => {
    expect(formatTime(value)).toBe(want);
  });
});

describe('sortedPairs', () => {
  const labels = { b: '2', a: '1', rule_id: 'r', summary: 's' };
  const annotations = { runbook_url: 'u', message: 'm', summary: 's', summary_cn: 'c', summaryCn: 'c', z: 'last', description: 'd' };
  it.each([
    { name: 'no hiding', object: labels, hide: undefined, want: ['a', 'b', 'rule_id', 'summary'] },
    { name: 'labels hide rule_id only', object: labels, hide: 'labels', want: ['a', 'b', 'summary'] },
    { name: 'annotations hide the message ones', object: annotations, hide: 'annotations', want: ['description', 'z'] },
    { name: 'not an object', object: ['x'], hide: undefined, want: [] },
    { name: 'nothing', object: undefined, hide: 'labels', want: [] },
  ])('$name', ({ object, hide, want }) => {
    expect(sortedPairs(object, hide).map((p) => p.name)).toEqual(want);
  });

  it('gives name/value pairs', () => {
    expect(sortedPairs({ b: 'y', a: 'x', n: 3 })).toEqual([
      { name: 'a', value: 'x' },
      { name: 'b', value: 'y' },
      { name: 'n', value: '3' },
    ]);
  });
});

describe('string and list helpers', () => {
  it.each([
    { name: 'title', got: () => title('hello wide_world-of k8s élan'), want: 'Hello Wide_world-Of K8s Élan' },
    { name: 'join with a separator', got: () => join(['a', 'b', 3], ', '), want: 'a, b, 3' },
    { name: 'join of a non-list', got: () => join('abc', ','), want: '' },
    { name: 'match anywhere', got: () => match('^Kube', 'KubePodCrashLooping'), want: true },
    { name: 'match fails', got: () => match('^Pod', 'KubePodCrashLooping'), want: false },
    { name: 'reReplaceAll with $1', got: () => reReplaceAll('(\\w+)-(\\d+)', '$2:$1', 'web-1 db-2'), want: '1:web 2:db' },
    { name: 'reReplaceAll with Go ${1}', got: () => reReplaceAll('(\\w+)-(\\d+)', '${2}x', 'web-1'), want: '1x' },
    { name: 'reReplaceAll with a Go named group', got: () => reReplaceAll('(?<n>\\d+)', '<${n}>', 'a1b22'), want: 'a<1>b<22>' },
    { name: 'len of a list', got: () => len([1, 2]), want: 2 },
    { name: 'len of an object', got: () => len({ a: 1 }), want: 1 },
    { name: 'len of nothing', got: () => len(undefined), want: 0 },
    { name: 'gt of numbers', got: () => gt(10, 9), want: true },
    { name: 'gt of strings', got: () => gt('b', 'a'), want: true },
    { name: 'translate found', got: () => translate({ alert: '告警' }, 'alert'), want: '告警' },
    { name: 'translate falls back to the word', got: () => translate({ alert: '告警' }, 'Alerts'), want: 'Alerts' },
    { name: 'translate ignores prototype keys', got: () => translate({}, 'constructor'), want: 'constructor' },
    { name: 'firing filter', got: () => byStatus([{ status: 'firing' }, { status: 'resolved' }, null], 'firing').length, want: 1 },
  ])('$name', ({ got, want }) => {
    expect(got()).toEqual(want);
  });

  it('a bad regular expression throws (and fails the render)', () => {
    expect(() => match('(', 'x')).toThrow(SyntaxError);
    expect(() => reReplaceAll('(?<=a)b', 'x', 'ab')).toThrow('reReplaceAll: unsupported regular expression syntax: lookbehind');
  });

  it('match and reReplaceAll are Go\'s: RE2 syntax, Go replacement references', () => {
    expect(match('(?i)^kube', 'KubePod')).toBe(true);
    expect(reReplaceAll('a(x*)b', '$1W', '-ab-axxb-')).toBe('---');
    expect(reReplaceAll('a(x*)b', '${1}W', '-ab-axxb-')).toBe('-W-xxW-');
    expect(reReplaceAll('b*', '-', 'abc')).toBe('-a-c-');
  });

  it('the helper table drops the Handlebars options argument', () => {
    const table = helperTable({ language: '', dictionary: {}, now: () => new Date(0) });
    const options = { hash: {}, data: {} };
    expect(table['join']?.(['a', 'b'], options)).toBe('a b');
    expect(table['toUpper']?.('abc', options)).toBe('ABC');
    expect(table['now']?.(options)).toBe('1970-01-01T00:00:00.000Z');
  });
});
