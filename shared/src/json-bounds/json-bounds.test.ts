import { describe, expect, it } from 'vitest';
import { DEFAULT_JSON_BOUNDS, jsonBoundsProblem } from './json-bounds.js';

const bounds = { maxDepth: 4, maxValues: 10, maxObjectMembers: 10 };

describe('jsonBoundsProblem', () => {
  it('lets a body within the bounds through', () => {
    expect(jsonBoundsProblem('{"a":[1,2],"b":{"c":"d"}}', bounds)).toBeUndefined();
  });

  it('refuses nesting deeper than the bound', () => {
    expect(jsonBoundsProblem('[[[[1]]]]', bounds)).toBeUndefined();
    expect(jsonBoundsProblem('[[[[[1]]]]]', bounds)).toEqual({ kind: 'depth', message: 'JSON is nested deeper than 4 levels' });
  });

  it('counts containers, elements, and object members twice', () => {
    // 1 array + 9 commas = 10 values.
    expect(jsonBoundsProblem(`[${Array(10).fill('0').join(',')}]`, bounds)).toBeUndefined();
    expect(jsonBoundsProblem(`[${Array(11).fill('0').join(',')}]`, bounds)?.kind).toBe('values');
    // 1 object + 4 colons + 3 commas = 8; one more member makes 10, another 12.
    expect(jsonBoundsProblem('{"a":0,"b":0,"c":0,"d":0}', bounds)).toBeUndefined();
    expect(jsonBoundsProblem('{"a":0,"b":0,"c":0,"d":0,"e":0,"f":0}', bounds)?.kind).toBe('values');
  });

  it('does not count what is inside strings, escaped quotes included', () => {
    expect(jsonBoundsProblem(JSON.stringify({ s: '[[[[[[,,,,,,,,,,,,::::{{{{"\\"' }), bounds)).toBeUndefined();
    expect(jsonBoundsProblem('{"s":"\\\\"}', bounds)).toBeUndefined();
  });

  it('is linear: a megabyte of string is one value', () => {
    expect(jsonBoundsProblem(JSON.stringify({ s: 'x'.repeat(1 << 20) }), bounds)).toBeUndefined();
  });

  it('refuses an object wider than the member bound, wherever it is, but not a long array', () => {
    const narrow = { maxDepth: 4, maxValues: 100, maxObjectMembers: 3 };
    expect(jsonBoundsProblem('{"a":0,"b":0,"c":0}', narrow)).toBeUndefined();
    expect(jsonBoundsProblem('{"a":0,"b":0,"c":0,"d":0}', narrow)).toEqual({ kind: 'values', message: 'a JSON object holds more than 3 members' });
    expect(jsonBoundsProblem('[{"a":{"x":1,"y":2,"z":3},"b":0,"c":0}]', narrow)).toBeUndefined();
    expect(jsonBoundsProblem('[{"a":{"w":0,"x":1,"y":2,"z":3}}]', narrow)?.message).toBe('a JSON object holds more than 3 members');
    // Members are counted per object: three objects of three are fine, as is an array of 50 elements.
    expect(jsonBoundsProblem('[{"a":0,"b":0,"c":0},{"a":0,"b":0,"c":0},{"a":0,"b":0,"c":0}]', narrow)).toBeUndefined();
    expect(jsonBoundsProblem(`{"a":[${Array(50).fill('0').join(',')}],"b":0}`, narrow)).toBeUndefined();
    // A colon inside a string or outside every container is nobody's member.
    expect(jsonBoundsProblem('{"a":"::::::","b":0}', narrow)).toBeUndefined();
    expect(jsonBoundsProblem('{}:::::', narrow)).toBeUndefined();
  });

  it('takes a whole 8 MiB Alertmanager body of small alerts by default', () => {
    const alert = (i: number) => ({
      status: 'firing',
      labels: { alertname: 'KubePodCrashLooping', namespace: `ns-${i % 40}`, pod: `api-${i}`, severity: 'warning', job: 'kube' },
      annotations: { summary: `api-${i} restarts` },
      startsAt: '2026-12-02T10:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: '',
      fingerprint: i.toString(16).padStart(16, '0'),
    });
    const alerts = Array.from({ length: 27_500 }, (_, i) => alert(i));
    const text = JSON.stringify({ version: '4', status: 'firing', alerts });
    expect(text.length).toBeLessThan(8 * 1024 * 1024);
    expect(text.length).toBeGreaterThan(7.5 * 1024 * 1024);
    expect(jsonBoundsProblem(text, DEFAULT_JSON_BOUNDS)).toBeUndefined();
    // The 600,000 of before refused it.
    expect(jsonBoundsProblem(text, { ...DEFAULT_JSON_BOUNDS, maxValues: 600_000 })?.kind).toBe('values');
  });
});
