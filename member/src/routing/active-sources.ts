/**
 * The active source alerts of inhibition, in memory: firing Alertmanager alerts that matched some
 * InhibitRule's source side, kept in the order they were last sent (so the stalest go first when
 * the state is full or expires), with an index per rule by the values of its `equal` labels so a
 * notification is judged against the few sources that could mute it, not all of them.
 * No I/O and no clock: the caller passes `now`, and persists what the methods say changed.
 */
import type { Labels } from '../model/notification.js';
import type { StoredSource } from '../store/inhibit-sources.js';
import { equalKey, type CompiledInhibitRule, type SourceAlert, type SourceLookup } from './inhibit.js';

type Index = Map<CompiledInhibitRule, Map<string, Map<string, StoredSource>>>;

export class ActiveSources {
  /** By fingerprint, least recently sent first (a refreshed source moves to the end). */
  private readonly byFingerprint = new Map<string, StoredSource>();
  private rules: readonly CompiledInhibitRule[] = [];
  private index: Index = new Map();

  /** `stored`: what the store kept, least recently sent first. */
  constructor(stored: readonly StoredSource[] = []) {
    for (const s of stored) this.byFingerprint.set(s.fingerprint, { ...s });
  }

  get size(): number {
    return this.byFingerprint.size;
  }

  has(fingerprint: string): boolean {
    return this.byFingerprint.has(fingerprint);
  }

  /** A source fired (again): added, or its last-sent time moved to `now`. Returns the record to store. */
  fire(fingerprint: string, labels: Labels, now: number): StoredSource {
    const known = this.byFingerprint.get(fingerprint);
    if (known) {
      known.lastSeenAt = Math.max(known.lastSeenAt, now);
      this.byFingerprint.delete(fingerprint);
      this.byFingerprint.set(fingerprint, known);
      return known;
    }
    const source: StoredSource = { fingerprint, labels, firstSeenAt: now, lastSeenAt: now };
    this.byFingerprint.set(fingerprint, source);
    for (const [rule, keys] of this.index) if (rule.source(labels)) add(keys, equalKey(labels, rule.equal), source);
    return source;
  }

  /** A source resolved (or is dropped); whether it was there. */
  remove(fingerprint: string): boolean {
    const source = this.byFingerprint.get(fingerprint);
    if (!source) return false;
    this.byFingerprint.delete(fingerprint);
    for (const [rule, keys] of this.index) {
      const key = equalKey(source.labels, rule.equal);
      const bucket = keys.get(key);
      bucket?.delete(fingerprint);
      if (bucket?.size === 0) keys.delete(key);
    }
    return true;
  }

  /**
   * Drops sources not sent for longer than `ttlMs`, then the least recently sent beyond `max`;
   * returns the fingerprints dropped.
   */
  prune(now: number, ttlMs: number, max: number): string[] {
    const dropped: string[] = [];
    for (const s of this.byFingerprint.values()) {
      if (this.byFingerprint.size - dropped.length <= max && !stale(s, now, ttlMs)) break;
      dropped.push(s.fingerprint);
    }
    for (const fp of dropped) this.remove(fp);
    return dropped;
  }

  /** The lookup the decision uses, for these rules: only sources sent within `ttlMs` of `now`. */
  lookup(rules: readonly CompiledInhibitRule[], now: number, ttlMs: number): SourceLookup {
    if (rules !== this.rules) this.reindex(rules);
    return (rule, key): SourceAlert[] => [...(this.index.get(rule)?.get(key)?.values() ?? [])].filter((s) => !stale(s, now, ttlMs));
  }

  /** A new configuration compiled new rules: each gets its index of the sources matching its source side. */
  private reindex(rules: readonly CompiledInhibitRule[]): void {
    this.rules = rules;
    this.index = new Map(rules.map((rule) => [rule, new Map<string, Map<string, StoredSource>>()]));
    for (const s of this.byFingerprint.values()) {
      for (const [rule, keys] of this.index) if (rule.source(s.labels)) add(keys, equalKey(s.labels, rule.equal), s);
    }
  }
}

const stale = (s: StoredSource, now: number, ttlMs: number): boolean => now - s.lastSeenAt > ttlMs;

function add(keys: Map<string, Map<string, StoredSource>>, key: string, source: StoredSource): void {
  const bucket = keys.get(key) ?? new Map<string, StoredSource>();
  bucket.set(source.fingerprint, source);
  keys.set(key, bucket);
}
