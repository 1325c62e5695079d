import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { isDateTime } from './formats.js';
// The messages come with every schema import (common.ts); this file imports no schema.
import './messages.js';

describe('isDateTime (RFC 3339 as the Kubernetes API server checks it)', () => {
  it.each([
    '2026-12-02T10:00:00Z',
    '2026-12-02T10:00:00.5Z',
    '2026-12-02T10:00:00.123456789+05:30',
    '2026-12-02t10:00:00z',
    '2024-02-29T23:59:59-00:00',
    '2000-02-29T00:00:00Z',
  ])('accepts %s', (s) => {
    expect(isDateTime(s)).toBe(true);
    expect(Number.isNaN(Date.parse(s))).toBe(false);
  });

  it.each([
    '',
    '2026-12-02',
    '2026-12-02 10:00:00Z',
    '2026-12-02T10:00:00',
    '2026-12-02T10:00Z',
    '2026-02-29T10:00:00Z',
    '1900-02-29T10:00:00Z',
    '2026-04-31T10:00:00Z',
    '2026-13-01T10:00:00Z',
    '2026-00-01T10:00:00Z',
    '2026-12-00T10:00:00Z',
    '2026-12-02T24:00:00Z',
    '2026-12-02T10:60:00Z',
    '2026-12-02T10:00:60Z',
    '2026-12-02T10:00:00.Z',
    '2026-12-02T10:00:00+24:00',
    '2026-12-02T10:00:00+0530',
    '2026-12-02T10:00:00Z ',
    'tomorrow',
  ])('refuses %j', (s) => {
    expect(isDateTime(s)).toBe(false);
  });

  it('is what Value.Check uses for format date-time', () => {
    const schema = Type.String({ format: 'date-time' });
    expect(Value.Check(schema, '2026-12-02T10:00:00Z')).toBe(true);
    expect([...Value.Errors(schema, '2026-12-02')].map((e) => e.message)).toEqual(['Expected an RFC 3339 date-time such as 2026-12-02T10:00:00Z']);
  });
});
