import { describe, expect, it } from 'vitest';
import { compileSelector } from '@herald/shared/selector';
import { labelsOf, parseMatcher, selectorOf, selectorText } from './matchers.js';

const selector = (...texts: string[]) => selectorOf(texts.map((t, i) => parseMatcher(t, i === 0)));

describe('amtool matchers', () => {
  it('reads the four operators, quoted values and a bare first alert name', () => {
    expect(parseMatcher('DiskFull', true)).toEqual({ name: 'alertname', op: '=', value: 'DiskFull' });
    expect(parseMatcher('severity!=info')).toEqual({ name: 'severity', op: '!=', value: 'info' });
    expect(parseMatcher('instance=~"db-.*"')).toEqual({ name: 'instance', op: '=~', value: 'db-.*' });
    expect(parseMatcher('job!~x')).toEqual({ name: 'job', op: '!~', value: 'x' });
    expect(parseMatcher('summary="a \\"quoted\\" word"')).toEqual({ name: 'summary', op: '=', value: 'a "quoted" word' });
    expect(parseMatcher('herald.dev/cluster=member-a')).toEqual({ name: 'herald.dev/cluster', op: '=', value: 'member-a' });
    expect(() => parseMatcher('DiskFull')).toThrow('is not name=value');
    expect(() => parseMatcher('a="open')).toThrow('does not end with an unescaped "');
  });

  it('builds the selector the agents mute by, with Alertmanager’s meaning of each matcher', () => {
    const s = selector('alertname=DiskFull', 'severity!=info', 'instance=~db-.*', 'team=', 'owner!=');
    expect(s).toEqual({
      matchLabels: { alertname: 'DiskFull' },
      matchExpressions: [
        { key: 'severity', operator: 'NotIn', values: ['info'] },
        { key: 'instance', operator: 'Match', regexValue: 'db-.*' },
        { key: 'team', operator: 'DoesNotExist' },
        { key: 'owner', operator: 'Exists' },
      ],
    });
    const mutes = compileSelector(s);
    expect(mutes({ alertname: 'DiskFull', severity: 'critical', instance: 'db-1', owner: 'x' })).toBe(true);
    expect(mutes({ alertname: 'DiskFull', instance: 'db-1', owner: 'x' })).toBe(true); // severity absent is != info
    expect(mutes({ alertname: 'DiskFull', severity: 'info', instance: 'db-1', owner: 'x' })).toBe(false);
    expect(mutes({ alertname: 'DiskFull', instance: 'web-db-1', owner: 'x' })).toBe(false); // anchored
    expect(mutes({ alertname: 'DiskFull', instance: 'db-1', owner: 'x', team: 'a' })).toBe(false);
  });

  it('refuses what it cannot express or what can never hold, saying what to do', () => {
    expect(() => selector()).toThrow('at least one matcher');
    expect(() => selector('job!~batch.*')).toThrow('no negative regex; list the values with job!=value');
    expect(() => selector('a=x', 'a=y')).toThrow('can never both hold');
    expect(() => selector('instance=~(unclosed')).toThrow('matcher instance=~"(unclosed"');
    expect(() => selector('a=~(x)\\1')).toThrow();
  });

  it('shows a selector in amtool’s words where it can, kubectl’s otherwise', () => {
    expect(selectorText(selector('alertname=A', 'b!=c', 'd=~e+', 'f=', 'g!='))).toEqual(['alertname="A"', 'b!="c"', 'd=~"e+"', 'f=""', 'g!=""']);
    expect(selectorText({ matchExpressions: [{ key: 'x', operator: 'In', values: ['a', 'b'] }, { key: 'y', operator: 'NotIn', values: ['c', 'd'] }] })).toEqual(['x in (a,b)', 'y notin (c,d)']);
  });

  it('takes only name=value for a query, the labels of an alert', () => {
    expect(labelsOf([parseMatcher('alertname=A'), parseMatcher('x=y')])).toEqual({ alertname: 'A', x: 'y' });
    expect(() => labelsOf([parseMatcher('a!=b')])).toThrow('silence query takes labels');
  });
});
