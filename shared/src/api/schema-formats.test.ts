import { FormatRegistry, Kind, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
// Only the API's entry point: importing any schema must register the formats.
import * as api from './index.js';

/** Every `format` keyword under a schema, with the `type` of the node that carries it. */
function formatsIn(node: unknown, path: string, out: { path: string; type: unknown; format: string }[]): void {
  if (Array.isArray(node)) {
    node.forEach((child, i) => formatsIn(child, `${path}[${i}]`, out));
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  if (typeof record['format'] === 'string') out.push({ path, type: record['type'], format: record['format'] });
  for (const [key, child] of Object.entries(record)) formatsIn(child, `${path}.${key}`, out);
}

/** Every schema the API exports: the kinds' spec and status, and each exported schema value. */
function apiSchemas(): [string, unknown][] {
  const exported = Object.entries(api).filter(([, v]) => typeof v === 'object' && v !== null && Kind in v);
  const kinds = api.KINDS.flatMap((k): [string, unknown][] => [[`${k.kind}.spec`, k.spec], [`${k.kind}.status`, k.status]]);
  return [...kinds, ...exported];
}

// TypeBox checks `format` on strings only; these are the numeric ones the API server knows.
const NUMERIC_FORMATS = new Set(['int32', 'int64', 'float', 'double']);

describe('formats in the API schemas', () => {
  const found: { path: string; type: unknown; format: string }[] = [];
  for (const [name, schema] of apiSchemas()) formatsIn(schema, name, found);

  it('finds the formats the API uses (the walk sees them)', () => {
    expect(new Set(found.map((f) => f.format))).toEqual(new Set(['date-time', 'int64']));
    expect(found.map((f) => f.path)).toContain('Silence.spec.properties.startsAt');
  });

  it('every string format in the API has a registered checker', () => {
    const missing = found.filter((f) => f.type === 'string' && !FormatRegistry.Has(f.format));
    expect(missing).toEqual([]);
    expect(Value.Check(api.SilenceSpec, { matcher: {}, startsAt: '2026-12-02T10:00:00Z' })).toBe(true);
  });

  it('every other format is numeric, and TypeBox does not refuse it', () => {
    const other = found.filter((f) => f.type !== 'string');
    expect(other.filter((f) => f.type !== 'integer' && f.type !== 'number' || !NUMERIC_FORMATS.has(f.format))).toEqual([]);
    for (const format of new Set(other.map((f) => f.format))) {
      expect(Value.Check(Type.Integer({ format }), 7), format).toBe(true);
    }
  });
});

