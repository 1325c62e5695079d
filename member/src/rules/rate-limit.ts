/**
 * A Rule's rate limit (spec.rateLimit: count per window): a fixed window per rule. What is over
 * the limit is dropped on purpose (that is what the limit asks for) and counted by the caller.
 */
import type { CompiledRule } from './compile.js';

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; used: number }>();

  /** True if one more notification of `rule` fits in its current window (and counts it). */
  allow(rule: Pick<CompiledRule, 'name' | 'rateLimit'>, now: number): boolean {
    const limit = rule.rateLimit;
    if (!limit) return true;
    let w = this.windows.get(rule.name);
    if (!w || now - w.start >= limit.perMs) {
      w = { start: now, used: 0 };
      this.windows.set(rule.name, w);
    }
    if (w.used >= limit.count) return false;
    w.used += 1;
    return true;
  }
}
