/**
 * The string formats Herald's schemas use, registered with TypeBox. TypeBox's Value.Check and
 * Value.Errors fail every string whose `format` has no registered checker ("Unknown format"), so
 * each format a schema names must be here. common.ts imports this module (through messages.ts), so
 * every schema import registers them and no validating caller can forget to.
 *
 * Numeric formats (`int64` on integers) are not checked by TypeBox and need no entry; the API
 * server checks them.
 */
import { FormatRegistry } from '@sinclair/typebox';

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysIn = (y: number, m: number): number => (m === 2 ? (isLeap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31);

/**
 * isDateTime says whether s is an RFC 3339 date-time (section 5.6), as the Kubernetes API server
 * checks it: a real calendar date, hours to 23, minutes and seconds to 59 (no leap second), an
 * optional fraction, and `Z` or a numeric offset; `t` and `z` may be lower case.
 */
export function isDateTime(s: string): boolean {
  const m = DATE_TIME.exec(s);
  if (!m) return false;
  const n = (group: number): number => Number(m[group]);
  const [year, month, day] = [n(1), n(2), n(3)];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  if (n(4) > 23 || n(5) > 59 || n(6) > 59) return false;
  // No offset groups for Z; a numeric offset is bounded by RFC 3339's time-numoffset.
  return m[8] === undefined || (n(8) <= 23 && n(9) <= 59);
}

interface StringFormat {
  check: (value: string) => boolean;
  /** What a value must look like, for error messages. */
  expected: string;
}

/** Every string format a Herald schema may use, with its checker. */
export const STRING_FORMATS: ReadonlyMap<string, StringFormat> = new Map([
  ['date-time', { check: isDateTime, expected: 'an RFC 3339 date-time such as 2026-12-02T10:00:00Z' }],
]);

for (const [name, format] of STRING_FORMATS) FormatRegistry.Set(name, format.check);
