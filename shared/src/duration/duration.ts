/** Go-style durations (`1h30m`, `250ms`, `0s`), the form every Herald duration field takes. */
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /([0-9]+(?:\.[0-9]+)?)(ns|us|ms|s|m|h)/gy;

/** parseDuration returns milliseconds, or throws naming the bad value. */
export function parseDuration(text: string): number {
  if (text === '' || text === '0') return 0;
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let m = PART.exec(text); m; m = PART.exec(text)) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    consumed = PART.lastIndex;
  }
  if (consumed !== text.length) throw new Error(`invalid duration ${JSON.stringify(text)}: use e.g. 30s, 5m, 1h30m`);
  return total;
}

/** durationOr parses an optional duration, falling back to `fallbackMs`. */
export function durationOr(text: string | undefined, fallbackMs: number): number {
  return text === undefined ? fallbackMs : parseDuration(text);
}
