/**
 * Access-token cache for the app APIs (WeChat Work `gettoken`, DingTalk `gettoken`, Feishu
 * `tenant_access_token`). Tokens are kept per credential set until shortly before they expire, so
 * a burst of sends asks for one token, not one each; concurrent sends share one fetch in flight.
 * Keys are hashes of the credentials, so no secret is held twice.
 */
import { createHash } from 'node:crypto';

export interface FetchedToken {
  token: string;
  /** Lifetime the provider granted, in milliseconds. */
  expiresInMs: number;
}

interface Entry {
  token: string;
  /** When to stop using it: a margin before the provider's expiry. */
  until: number;
}

/** Refresh this long before the provider's expiry, so a token is never used in its last moments. */
const MARGIN_MS = 5 * 60_000;
const MAX_ENTRIES = 256;

/** A cache key for a credential set: a hash, so the map holds no secret. */
export function tokenKey(...parts: string[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

export class TokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * The cached token for `key`, or a fresh one from `fetch`. `maxAgeMs` (Settings `tokenExpires`)
   * caps how long a token is kept, below what the provider granted.
   */
  async get(key: string, fetch: () => Promise<FetchedToken>, maxAgeMs?: number): Promise<string> {
    const found = this.entries.get(key);
    if (found && found.until > this.now()) return found.token;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const started = this.now();
    const run = fetch()
      .then(({ token, expiresInMs }) => {
        // A token shorter-lived than the margin is still used once, for half its life.
        const life = expiresInMs > 2 * MARGIN_MS ? expiresInMs - MARGIN_MS : expiresInMs / 2;
        this.remember(key, { token, until: started + Math.min(life, maxAgeMs ?? Number.POSITIVE_INFINITY) });
        return token;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, run);
    return run;
  }

  /** Drops `token` for `key` (the provider said it is invalid or expired); a newer one is kept. */
  invalidate(key: string, token: string): void {
    if (this.entries.get(key)?.token === token) this.entries.delete(key);
  }

  private remember(key: string, entry: Entry): void {
    if (this.entries.size >= MAX_ENTRIES && !this.entries.has(key)) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, entry);
  }
}

export interface TokenSource {
  cache: TokenCache;
  key: string;
  fetch: () => Promise<FetchedToken>;
  maxAgeMs?: number | undefined;
}

/**
 * Calls `call` with the cached token. `call` returns undefined when the provider rejected the
 * token as invalid or expired (it may have been revoked or rotated before its time); the token is
 * then dropped and the call made once more with a fresh one. On that last try `call` must decide.
 */
export async function withFreshToken<T>(source: TokenSource, call: (token: string, lastTry: boolean) => Promise<T | undefined>): Promise<T> {
  const first = await source.cache.get(source.key, source.fetch, source.maxAgeMs);
  const result = await call(first, false);
  if (result !== undefined) return result;
  source.cache.invalidate(source.key, first);
  const fresh = await source.cache.get(source.key, source.fetch, source.maxAgeMs);
  const retried = await call(fresh, true);
  if (retried === undefined) throw new Error('withFreshToken: the last try must decide');
  return retried;
}
