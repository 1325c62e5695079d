import { createHash } from 'node:crypto';

/**
 * Recently routed notifications, per target, to drop exact repeats (Alertmanager HA pairs and
 * retries send the same notification more than once). Bounded in time and in size, and in
 * memory only: after a restart a repeat may go out once more, which at-least-once allows.
 *
 * Keys are kept as their SHA-1 (a flat 20-character string): the key text itself is a chain of
 * pieces of the request (target, fingerprint, timestamps) that held ~260 bytes an entry, 5 MB of
 * the pipeline's heap at the 20,000-entry bound; the digest holds ~40.
 */
export class RecentKeys {
  private readonly seen = new Map<string, number>();

  constructor(private readonly opts: { windowMs: () => number; maxEntries: number }) {}

  /** True if `text` was seen within the window; otherwise records it and returns false. */
  repeat(text: string, now: number): boolean {
    const key = createHash('sha1').update(text).digest('binary');
    const at = this.seen.get(key);
    if (at !== undefined && now - at < this.opts.windowMs()) return true;
    this.seen.delete(key);
    this.seen.set(key, now);
    this.evict(now);
    return false;
  }

  get size(): number {
    return this.seen.size;
  }

  private evict(now: number): void {
    const window = this.opts.windowMs();
    // Map iteration is insertion order: the oldest entries come first.
    for (const [key, at] of this.seen) {
      if (this.seen.size <= this.opts.maxEntries && now - at < window) break;
      this.seen.delete(key);
    }
  }
}
