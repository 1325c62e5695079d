/**
 * `npx tsx bench/regex.ts`: what matching a user regex costs on RE2 (shared/src/regex, as routing
 * runs it) against JavaScript's RegExp, for typical selector patterns on ~20-character label
 * values. Printed, not asserted; not part of `npm run bench`.
 */
import { fullMatchRegex, searchRegex } from '../shared/src/regex/regex.js';

const VALUES = Array.from({ length: 1000 }, (_, i) => `${['team-a-payments-', 'team-d-frontend-', 'ops-team-b-batch-', 'team-c-db-primary'][i % 4]}${i}`);
const ROUNDS = 2_000_000;

function opsPerSecond(test: (value: string) => boolean): number {
  let hits = 0;
  for (let i = 0; i < ROUNDS / 10; i++) if (test(VALUES[i % VALUES.length] as string)) hits++;
  const start = process.hrtime.bigint();
  for (let i = 0; i < ROUNDS; i++) if (test(VALUES[i % VALUES.length] as string)) hits++;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  // Use hits, so the loop cannot be optimised away.
  return hits >= 0 ? ROUNDS / seconds : 0;
}

const million = (n: number): string => `${(n / 1e6).toFixed(1).padStart(5)} M/s`;

console.log('pattern                   full match: RegExp   RE2   ratio | search: RegExp   RE2   ratio');
for (const pattern of ['team-(a|b|c).*', '.*-db-.*', 'prod|staging', 'team-a-payments-0', '[a-z]+-[a-z]-.*[0-9]{3}']) {
  const anchored = new RegExp(`^(?:${pattern})$`);
  const unanchored = new RegExp(pattern);
  const full = fullMatchRegex(pattern, 'bench');
  const search = searchRegex(pattern, 'bench');
  const [fa, fb] = [opsPerSecond((v) => anchored.test(v)), opsPerSecond((v) => full.test(v))];
  const [sa, sb] = [opsPerSecond((v) => unanchored.test(v)), opsPerSecond((v) => search.test(v))];
  console.log(`${pattern.padEnd(26)}${million(fa)} ${million(fb)} ${(fa / fb).toFixed(1).padStart(5)}x | ${million(sa)} ${million(sb)} ${(sa / sb).toFixed(1).padStart(5)}x`);
}

const compiles = 5_000;
let start = performance.now();
for (let i = 0; i < compiles; i++) new RegExp(`team-(a|b|c).*${i}`);
const regExpCompile = (performance.now() - start) / compiles;
start = performance.now();
// Distinct sources, so the module's cache does not answer.
for (let i = 0; i < compiles; i++) fullMatchRegex(`team-(a|b|c).*${i}`, 'bench');
const re2Compile = (performance.now() - start) / compiles;
console.log(`compile team-(a|b|c).*N: RegExp ${(regExpCompile * 1000).toFixed(1)} µs, RE2 ${(re2Compile * 1000).toFixed(1)} µs (cached afterwards)`);

const evil = `${'a'.repeat(10_000)}b`;
start = performance.now();
fullMatchRegex('^(a+)+$', 'bench').test(evil);
console.log(`^(a+)+$ against 10,000 "a"s and a "b": RE2 ${(performance.now() - start).toFixed(1)} ms (RegExp: 2^10000 steps)`);
