import { describe, expect, it } from 'vitest';
import { RecentKeys } from './recent.js';

describe('RecentKeys', () => {
  const recent = (maxEntries = 3): RecentKeys => new RecentKeys({ windowMs: () => 1000, maxEntries });

  it('a key repeats within the window and not after it', () => {
    const r = recent();
    expect(r.repeat('t\u0000a|firing|x', 0)).toBe(false);
    expect(r.repeat('t\u0000a|firing|x', 999)).toBe(true);
    expect(r.repeat('t\u0000a|firing|x', 2000)).toBe(false);
  });

  it('keys that differ in any character are different notifications', () => {
    const r = recent();
    expect(r.repeat('t\u0000a|firing|x', 0)).toBe(false);
    expect(r.repeat('t\u0000a|firing|y', 0)).toBe(false);
    expect(r.repeat('u\u0000a|firing|x', 0)).toBe(false);
  });

  it('holds at most maxEntries, forgetting the oldest', () => {
    const r = recent(2);
    for (const k of ['a', 'b', 'c']) r.repeat(k, 0);
    expect(r.size).toBe(2);
    expect(r.repeat('c', 1)).toBe(true);
    expect(r.repeat('a', 1)).toBe(false);
  });
});
