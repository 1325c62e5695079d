import { describe, expect, it } from 'vitest';
import { jsonBoundsProblem } from './json-bounds.js';

const bounds = { maxDepth: 4, maxValues: 10 };

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
});
