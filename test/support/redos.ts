/**
 * A ReDoS probe (finding F7): `^(a+)+$` against `aa…ab` takes 2^n steps on a backtracking engine
 * (RegExp) and linear time on RE2. With 34 "a"s RegExp needs far longer than vitest's 5 s test
 * timeout on any machine (about 90 s on this project's), so a regression fails the test on its
 * timeout. Do not make it much longer: vitest cannot interrupt synchronous code, so an input RegExp
 * never finishes would hang the run instead of failing it.
 */
export const CATASTROPHIC = '^(a+)+$';
export const EVIL_INPUT = `${'a'.repeat(34)}b`;
