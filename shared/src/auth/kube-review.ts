/**
 * Kubernetes authentication and authorization of a caller, the way kube-rbac-proxy does it: the
 * bearer token goes to the API server's TokenReview, the identity it names to a
 * SubjectAccessReview on the attributes the route needs. Answers are cached for a while (by the
 * token's SHA-256, never the token), identical lookups in flight are made once, and at most a few
 * reviews run at a time, so a flood of made-up tokens cannot turn into a flood on the API server.
 * Nor can it lock out a real caller: answers that let someone in are kept apart from refusals (a
 * flood of refusals cannot push them out), least recently used first, and renewed in the
 * background once half their time is gone, so a caller in steady use never waits on a review.
 */
import { createHash } from 'node:crypto';

export interface Identity {
  user: string;
  groups: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

/** The resource a SubjectAccessReview asks about (resourceAttributes). */
export interface ResourceAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/** Posts a review object to the API server path and returns the answered object. */
export type ReviewPost = (path: string, body: unknown) => Promise<unknown>;

export class ReviewUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReviewUnavailable';
  }
}

export interface KubeReviewerOptions {
  post: ReviewPost;
  now?: () => number;
  /** How long an answer is kept; default 60 s (a refusal: 10 s). */
  ttlMs?: number;
  negativeTtlMs?: number;
  /** Most answers kept; the oldest go first. Default 4096. */
  maxEntries?: number;
  /** Reviews in flight at once, and waiting beyond them (more is refused as unavailable). */
  maxInFlight?: number;
  maxWaiting?: number;
  /** TokenReview audiences; the API server's own when empty. */
  audiences?: string[];
}

interface Entry<T> {
  value: T;
  until: number;
  /** After this, a use renews the answer in the background. */
  renewAt: number;
}

/** Answers with an expiry, least recently used first out. */
class LruCache<T> {
  private readonly map = new Map<string, Entry<T>>();
  constructor(private readonly max: number) {}

  get(key: string, now: number): Entry<T> | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    this.map.delete(key);
    if (e.until <= now) return undefined;
    this.map.set(key, e);
    return e;
  }

  set(key: string, value: T, now: number, ttl: number): void {
    this.map.delete(key);
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value as string);
    this.map.set(key, { value, until: now + ttl, renewAt: now + ttl / 2 });
  }

  delete(key: string): void {
    this.map.delete(key);
  }
}

/** Yes and no answers kept apart, so no number of refusals can push out who may come in. */
class Answers<T> {
  private readonly yes: LruCache<T>;
  private readonly no: LruCache<T>;
  constructor(max: number) {
    this.yes = new LruCache(max);
    this.no = new LruCache(max);
  }

  get(key: string, now: number): Entry<T> | undefined {
    return this.yes.get(key, now) ?? this.no.get(key, now);
  }

  set(key: string, answer: { value: T; positive: boolean }, now: number, ttl: number): void {
    (answer.positive ? this.no : this.yes).delete(key);
    (answer.positive ? this.yes : this.no).set(key, answer.value, now, ttl);
  }
}

const sha = (text: string): string => createHash('sha256').update(text).digest('base64');

/** What a TokenReview answer says about the token (pure). */
export function identityOf(answer: unknown): Identity | undefined {
  const status = (answer as { status?: { authenticated?: boolean; user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> } } }).status;
  if (status?.authenticated !== true || !status.user?.username) return undefined;
  const u = status.user;
  return { user: u.username as string, groups: u.groups ?? [], ...(u.uid ? { uid: u.uid } : {}), ...(u.extra ? { extra: u.extra } : {}) };
}

/** The SubjectAccessReview asking whether `who` may do `attrs` (pure). */
export function accessReview(who: Identity, attrs: ResourceAttributes): unknown {
  return {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: { user: who.user, groups: who.groups, ...(who.uid ? { uid: who.uid } : {}), ...(who.extra ? { extra: who.extra } : {}), resourceAttributes: attrs },
  };
}

export class KubeReviewer {
  private readonly tokens: Answers<Identity | null>;
  private readonly access: Answers<boolean>;
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly opts: KubeReviewerOptions) {
    this.tokens = new Answers(opts.maxEntries ?? 4096);
    this.access = new Answers(opts.maxEntries ?? 4096);
  }

  /** The identity of a token, or undefined when the API server does not accept it. Throws ReviewUnavailable. */
  authenticate(token: string): Promise<Identity | undefined> {
    const body = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, ...(this.opts.audiences?.length ? { audiences: this.opts.audiences } : {}) } };
    const review = async (): Promise<Identity | null> => identityOf(await this.post('/apis/authentication.k8s.io/v1/tokenreviews', body)) ?? null;
    return this.answer(this.tokens, `t:${sha(token)}`, review, (who) => who !== null).then((who) => who ?? undefined);
  }

  /** Whether the identity may do what the attributes say. Throws ReviewUnavailable. */
  authorize(who: Identity, attrs: ResourceAttributes): Promise<boolean> {
    const review = async (): Promise<boolean> => {
      const answer = (await this.post('/apis/authorization.k8s.io/v1/subjectaccessreviews', accessReview(who, attrs))) as { status?: { allowed?: boolean } };
      return answer.status?.allowed === true;
    };
    return this.answer(this.access, `a:${sha(JSON.stringify([who, attrs]))}`, review, (allowed) => allowed);
  }

  /**
   * The cached answer (renewed in the background once half its time is gone, if it let the caller
   * in), or a review now.
   */
  private async answer<T>(cache: Answers<T>, key: string, review: () => Promise<T>, positive: (value: T) => boolean): Promise<T> {
    const remember = (value: T): T => {
      const yes = positive(value);
      cache.set(key, { value, positive: yes }, this.now(), yes ? this.ttl() : this.negativeTtl());
      return value;
    };
    const cached = cache.get(key, this.now());
    if (cached) {
      if (positive(cached.value) && cached.renewAt <= this.now() && !this.inFlight.has(key)) {
        // Kept until it expires if the renewal fails: the API server being slow is not a refusal.
        void this.once(key, review).then(remember, () => undefined);
      }
      return cached.value;
    }
    return remember(await this.once(key, review));
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  private ttl(): number {
    return this.opts.ttlMs ?? 60_000;
  }

  private negativeTtl(): number {
    return this.opts.negativeTtlMs ?? 10_000;
  }

  /** One lookup per key at a time: a burst of requests with the same token makes one review. */
  private once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key) as Promise<T> | undefined;
    if (running) return running;
    const made = this.limited(fn).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, made);
    return made;
  }

  private async limited<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running < (this.opts.maxInFlight ?? 8)) this.running++;
    else if (this.queue.length >= (this.opts.maxWaiting ?? 256)) throw new ReviewUnavailable('too many authentication reviews waiting');
    // A waiter is handed the slot of the review that finishes, so the bound is never passed.
    else await new Promise<void>((resolve) => this.queue.push(resolve));
    try {
      return await fn();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
    }
  }

  private async post(path: string, body: unknown): Promise<unknown> {
    try {
      return await this.opts.post(path, body);
    } catch (err) {
      throw new ReviewUnavailable(`the API server did not answer the review: ${(err as Error).message}`);
    }
  }
}
