import { describe, expect, it } from 'vitest';
import { Throttles } from './throttle.js';

describe('Throttles', () => {
  it('allows threshold sends at once, then one per unit/threshold', () => {
    const t = new Throttles();
    const spec = { threshold: 20, unit: '1m' };
    for (let i = 0; i < 20; i++) expect(t.take('bot', spec, 0)).toBe(0);
    expect(t.take('bot', spec, 0)).toBe(3000);
    const almost = t.take('bot', spec, 2999);
    expect(almost).toBeGreaterThan(0);
    expect(almost).toBeLessThanOrEqual(2);
    expect(t.take('bot', spec, 3000)).toBe(0);
  });
  it('keeps targets apart and has no limit without a spec', () => {
    const t = new Throttles();
    expect(t.take('a', { threshold: 1, unit: '1s' }, 0)).toBe(0);
    expect(t.take('a', { threshold: 1, unit: '1s' }, 0)).toBe(1000);
    expect(t.take('b', { threshold: 1, unit: '1s' }, 0)).toBe(0);
    for (let i = 0; i < 100; i++) expect(t.take('c', undefined, 0)).toBe(0);
  });
  it('a changed limit takes effect at once', () => {
    const t = new Throttles();
    expect(t.take('a', { threshold: 1, unit: '1h' }, 0)).toBe(0);
    expect(t.take('a', { threshold: 1, unit: '1h' }, 0)).toBeGreaterThan(0);
    expect(t.take('a', { threshold: 5, unit: '1s' }, 0)).toBe(0);
  });
});
