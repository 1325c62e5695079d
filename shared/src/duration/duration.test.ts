import { describe, expect, it } from 'vitest';
import { durationOr, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['0s', 0],
    ['0', 0],
    ['250ms', 250],
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['1.5h', 5_400_000],
    ['2h45m10s', 9_910_000],
    ['1500us', 1.5],
  ])('%s → %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['5 minutes', '5', '1d', 'm', '1h 30m', '-1s'])('rejects %j', (text) =>
    expect(() => parseDuration(text)).toThrow(`invalid duration ${JSON.stringify(text)}`),
  );

  it('falls back when absent', () => {
    expect(durationOr(undefined, 42)).toBe(42);
    expect(durationOr('1s', 42)).toBe(1000);
  });
});
