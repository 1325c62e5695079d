/**
 * Kubernetes authentication and authorization of a caller, the way kube-rbac-proxy does it: the
 * bearer token goes to the API server's TokenReview, the identity it names to a
 * SubjectAccessReview on the attributes the route needs. Answers are cached for a while (by the
 * token's SHA-256, never the token), identical lookups in flight are made once, and at most a few
 * reviews run at a time, so a flood of made-up tokens cannot turn into a flood on the API server.
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
}

class TtlCache<T> {
  private readonly map = new Map<string, Entry<T>>();
  constructor(private readonly max: number) {}

  get(key: string, now: number): T | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (e.until > now) return e.value;
    this.map.delete(key);
    return undefined;
  }

  set(key: string, value: T, until: number): void {
    this.map.delete(key);
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value as string);
    this.map.set(key, { value, until });
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
  private readonly tokens: TtlCache<Identity | null>;
  private readonly access: TtlCache<boolean>;
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly opts: KubeReviewerOptions) {
    this.tokens = new TtlCache(opts.maxEntries ?? 4096);
    this.access = new TtlCache(opts.maxEntries ?? 4096);
  }

  /** The identity of a token, or undefined when the API server does not accept it. Throws ReviewUnavailable. */
  async authenticate(token: string): Promise<Identity | undefined> {
    const key = `t:${sha(token)}`;
    const cached = this.tokens.get(key, this.now());
    if (cached !== undefined) return cached ?? undefined;
    const body = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, ...(this.opts.audiences?.length ? { audiences: this.opts.audiences } : {}) } };
    const who = await this.once(key, async () => identityOf(await this.post('/apis/authentication.k8s.io/v1/tokenreviews', body)));
    this.tokens.set(key, who ?? null, this.now() + (who ? this.ttl() : this.negativeTtl()));
    return who;
  }

  /** Whether the identity may do what the attributes say. Throws ReviewUnavailable. */
  async authorize(who: Identity, attrs: ResourceAttributes): Promise<boolean> {
    const key = `a:${sha(JSON.stringify([who, attrs]))}`;
    const cached = this.access.get(key, this.now());
    if (cached !== undefined) return cached;
    const allowed = await this.once(key, async () => {
      const answer = (await this.post('/apis/authorization.k8s.io/v1/subjectaccessreviews', accessReview(who, attrs))) as { status?: { allowed?: boolean } };
      return answer.status?.allowed === true;
    });
    this.access.set(key, allowed, this.now() + (allowed ? this.ttl() : this.negativeTtl()));
    return allowed;
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
