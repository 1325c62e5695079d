/**
 * Recently routed notifications, per target, to drop exact repeats (Alertmanager HA pairs and
 * retries send the same notification more than once). Bounded in time and in size, and in
 * memory only: after a restart a repeat may go out once more, which at-least-once allows.
 */
export class RecentKeys {
  private readonly seen = new Map<string, number>();

  constructor(private readonly opts: { windowMs: () => number; maxEntries: number }) {}

  /** True if `key` was seen within the window; otherwise records it and returns false. */
  repeat(key: string, now: number): boolean {
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
