import { describe, expect, it } from 'vitest';
import { backoffMs, dedupKeyOf, groupKeyOf, groupLabelsOf } from './keys.js';

describe('groupKeyOf', () => {
  it('depends only on the group labels, with missing ones as empty', () => {
    const g = ['alertname', 'namespace'];
    expect(groupKeyOf({ alertname: 'A', namespace: 'n', pod: 'p1' }, g)).toBe(groupKeyOf({ alertname: 'A', namespace: 'n', pod: 'p2' }, g));
    expect(groupKeyOf({ alertname: 'A' }, g)).not.toBe(groupKeyOf({ alertname: 'A', namespace: 'n' }, g));
    expect(groupLabelsOf({ alertname: 'A', pod: 'p' }, g)).toEqual({ alertname: 'A' });
  });
});

describe('dedupKeyOf', () => {
  const base = { fingerprint: 'f', startsAt: 's', endsAt: 'e1' };
  it('ignores a firing alert’s moving endsAt but not a resolved one’s', () => {
    expect(dedupKeyOf({ ...base, status: 'firing' })).toBe(dedupKeyOf({ ...base, status: 'firing', endsAt: 'e2' }));
    expect(dedupKeyOf({ ...base, status: 'resolved' })).not.toBe(dedupKeyOf({ ...base, status: 'resolved', endsAt: 'e2' }));
    expect(dedupKeyOf({ ...base, status: 'firing' })).not.toBe(dedupKeyOf({ ...base, status: 'resolved' }));
  });
});

describe('backoffMs', () => {
  const policy = { initialBackoffMs: 1000, maxBackoffMs: 60_000 };
  it.each([
    [1, 0, 500],
    [1, 1, 1000],
    [2, 0, 1000],
    [3, 1, 4000],
    [10, 1, 60_000],
    [10, 0, 30_000],
    [40, 1, 60_000],
  ])('attempt %d, random %d → %d ms', (attempt, random, want) => expect(backoffMs(attempt, policy, { random })).toBe(want));
  it('never retries sooner than Retry-After', () => {
    expect(backoffMs(1, policy, { random: 0, retryAfterMs: 7000 })).toBe(7000);
  });
});
