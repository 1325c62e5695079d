/**
 * Per-target throttles (a token bucket per receiver channel, configured per channel type in
 * Settings `options.<channel>.throttle`): at most `threshold` sends per `unit`. A send over the
 * limit is not dropped; its queue waits until a token is free.
 */
import { parseDuration } from '@herald/shared/duration';

export interface ThrottleSpec {
  threshold: number;
  unit: string;
}

interface Bucket {
  tokens: number;
  at: number;
  spec: string;
}

export class Throttles {
  private readonly buckets = new Map<string, Bucket>();

  /**
   * Takes a token for `key` now if one is free and returns 0; otherwise returns how many
   * milliseconds until one is. No spec means no limit.
   */
  take(key: string, spec: ThrottleSpec | undefined, now: number): number {
    if (!spec) return 0;
    const unitMs = parseDuration(spec.unit);
    const rate = spec.threshold / unitMs;
    const id = `${spec.threshold}/${spec.unit}`;
    const found = this.buckets.get(key);
    // A changed spec starts a fresh bucket, full.
    const b = found && found.spec === id ? found : { tokens: spec.threshold, at: now, spec: id };
    b.tokens = Math.min(spec.threshold, b.tokens + (now - b.at) * rate);
    b.at = now;
    this.buckets.set(key, b);
    // Refills accumulate in floating point; a hair under one whole token is one.
    if (b.tokens >= 1 - 1e-9) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / rate));
  }
}
