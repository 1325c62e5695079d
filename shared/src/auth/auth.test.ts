import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authorizationOf, authorize, bearerToken, KubeReviewer, parseTokenFile, StaticTokens, type Permission } from './auth.js';

const file = (text: string): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'herald-auth-')), 'token');
  writeFileSync(path, text);
  return path;
};
const INGEST: Permission = { role: 'ingest', attributes: [{ verb: 'create', group: 'herald.dev', resource: 'agents', subresource: 'ingest', namespace: 'herald-system' }] };
const ADMIN: Permission = { role: 'admin', attributes: [{ verb: 'get', group: 'herald.dev', resource: 'agents', subresource: 'admin', namespace: 'herald-system' }] };

describe('token files', () => {
  it('hold one token a line; blank lines and comments are not tokens', () => {
    expect(parseTokenFile('# rotated 2026-12\n\n  first-token-1234567  \r\nsecond-token-7654321\n')).toEqual(['first-token-1234567', 'second-token-7654321']);
  });

  it('refuse a file without a token, or with a short one, naming the file', () => {
    const empty = file('# nothing\n');
    expect(() => new StaticTokens([{ role: 'ingest', path: empty }])).toThrow(`the ingest token file ${empty} holds no token`);
    expect(() => new StaticTokens([{ role: 'ingest', path: file('short\n') }])).toThrow('holds no token of 16 characters or more');
    expect(() => new StaticTokens([{ role: 'ingest', path: file('short\nlong-enough-token-123\n') }])).toThrow(/shorter than 16 characters, which is left out/);
    expect(() => new StaticTokens([{ role: 'admin', path: '/nonexistent/admin' }])).toThrow('cannot read the admin token file /nonexistent/admin');
  });

  it('grant the role of each file the token is in, and see a rotated file after the recheck period', () => {
    let now = 0;
    const ingest = file('ingest-token-aaaaaaaa\nshared-token-cccccccc\n');
    const tokens = new StaticTokens([{ role: 'ingest', path: ingest }, { role: 'admin', path: file('admin-token-bbbbbbbbb\nshared-token-cccccccc\n') }], { now: () => now, recheckMs: 5000 });
    expect([...tokens.rolesOf('ingest-token-aaaaaaaa')]).toEqual(['ingest']);
    expect([...tokens.rolesOf('shared-token-cccccccc')].sort()).toEqual(['admin', 'ingest']);
    expect(tokens.rolesOf('ingest-token-aaaaaaa').size).toBe(0);
    writeFileSync(ingest, 'new-ingest-token-dddd\n');
    now = 1000;
    expect(tokens.rolesOf('ingest-token-aaaaaaaa').has('ingest')).toBe(true);
    now = 6000;
    expect(tokens.rolesOf('ingest-token-aaaaaaaa').has('ingest')).toBe(false);
    expect(tokens.rolesOf('new-ingest-token-dddd').has('ingest')).toBe(true);
  });

  it('revokes: a file emptied or deleted leaves its role with no token, and says so', () => {
    let now = 0;
    const said: string[] = [];
    const path = file('admin-token-aaaaaaaaaaa\n');
    const tokens = new StaticTokens([{ role: 'admin', path }], { now: () => now, recheckMs: 5000, log: (m) => said.push(m) });
    expect(tokens.rolesOf('admin-token-aaaaaaaaaaa').has('admin')).toBe(true);
    writeFileSync(path, '');
    now = 6000;
    expect(tokens.rolesOf('admin-token-aaaaaaaaaaa').size).toBe(0);
    expect(said).toEqual([`the admin token file ${path} holds no token: the admin role has no token now`]);
    writeFileSync(path, 'admin-token-bbbbbbbbbbb\n');
    now = 12_000;
    expect(tokens.rolesOf('admin-token-bbbbbbbbbbb').has('admin')).toBe(true);
    rmSync(path);
    now = 18_000;
    expect(tokens.rolesOf('admin-token-bbbbbbbbbbb').size).toBe(0);
    expect(said[1]).toContain(`cannot read the admin token file ${path}`);
  });
});

describe('bearerToken', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['Bearer  abc ', 'abc'],
    ['Basic abc', undefined],
    ['Bearer', undefined],
    ['Bearer a b', undefined],
    [undefined, undefined],
  ])('%s → %s', (header, token) => expect(bearerToken(header)).toBe(token));
});

/** A stand-in for the API server's review endpoints, counting calls: only the cache logic is under test here. */
function reviews(opts: { users?: Record<string, string>; allowed?: (user: string, attrs: { subresource?: string }) => boolean; fail?: boolean } = {}) {
  const calls: string[] = [];
  const post = async (path: string, body: unknown): Promise<unknown> => {
    calls.push(path);
    await new Promise((r) => setTimeout(r, 5));
    if (opts.fail) throw new Error('connection refused');
    const b = body as { spec: { token?: string; user?: string; resourceAttributes?: { subresource?: string } } };
    if (path.endsWith('tokenreviews')) {
      const user = opts.users?.[b.spec.token ?? ''];
      return { status: user ? { authenticated: true, user: { username: user, groups: ['system:authenticated'] } } : { authenticated: false } };
    }
    return { status: { allowed: opts.allowed?.(b.spec.user ?? '', b.spec.resourceAttributes ?? {}) ?? false } };
  };
  return { post, calls };
}

describe('authorizationOf', () => {
  it('takes Authorization, else the header a service proxy passes on', () => {
    expect(authorizationOf({ authorization: 'Bearer a', 'x-herald-authorization': 'Bearer b' })).toBe('Bearer a');
    expect(authorizationOf({ 'x-herald-authorization': 'Bearer b' })).toBe('Bearer b');
    // Two of them (Node joins repeats of unknown headers, but an array is refused, not guessed at).
    expect(authorizationOf({ 'x-herald-authorization': ['Bearer b', 'Bearer c'] })).toBeUndefined();
    expect(authorizationOf({})).toBeUndefined();
  });
});

describe('authorize', () => {
  const tokens = new StaticTokens([{ role: 'ingest', path: file('static-ingest-token-1\n') }, { role: 'admin', path: file('static-admin-token-22\n') }]);

  it('lets a static token use its own role only', async () => {
    expect(await authorize({ tokens }, 'Bearer static-ingest-token-1', INGEST)).toEqual({ ok: true, who: 'token-file:ingest' });
    expect(await authorize({ tokens }, 'Bearer static-ingest-token-1', ADMIN)).toMatchObject({ ok: false, status: 403, message: 'this token grants ingest, not admin' });
    expect(await authorize({ tokens }, 'Bearer wrong-token-xxxxxxxx', INGEST)).toMatchObject({ ok: false, status: 401 });
    expect(await authorize({ tokens }, undefined, INGEST)).toMatchObject({ ok: false, status: 401, message: 'a bearer token is required (ingest)' });
  });

  it('opens a role to anyone only when it is named anonymous', async () => {
    expect(await authorize({ tokens, anonymous: new Set(['ingest']) }, undefined, INGEST)).toEqual({ ok: true, who: 'anonymous' });
    expect(await authorize({ tokens, anonymous: new Set(['ingest']) }, undefined, ADMIN)).toMatchObject({ ok: false, status: 401 });
  });

  it('asks Kubernetes who a token is and whether that identity may, naming what it may not', async () => {
    const api = reviews({ users: { 'sa-token': 'system:serviceaccount:monitoring:alertmanager' }, allowed: (_u, a) => a.subresource === 'ingest' });
    const kube = new KubeReviewer({ post: api.post });
    expect(await authorize({ tokens, kube }, 'Bearer sa-token', INGEST)).toEqual({ ok: true, who: 'system:serviceaccount:monitoring:alertmanager' });
    expect(await authorize({ tokens, kube }, 'Bearer sa-token', ADMIN)).toMatchObject({
      ok: false,
      status: 403,
      message: 'system:serviceaccount:monitoring:alertmanager may not get agents/admin.herald.dev in namespace herald-system',
    });
    expect(await authorize({ tokens, kube }, 'Bearer made-up', INGEST)).toMatchObject({ ok: false, status: 401 });
  });

  it('answers 503 when the API server cannot be asked, and caches nothing then', async () => {
    const api = reviews({ fail: true });
    const kube = new KubeReviewer({ post: api.post });
    expect(await authorize({ kube }, 'Bearer sa-token', INGEST)).toMatchObject({ ok: false, status: 503 });
    expect(await authorize({ kube }, 'Bearer sa-token', INGEST)).toMatchObject({ ok: false, status: 503 });
    expect(api.calls).toHaveLength(2);
  });
});

describe('KubeReviewer', () => {
  it('reviews a token once for a burst, caches the answer, and a refusal for less long', async () => {
    let now = 0;
    const api = reviews({ users: { good: 'alice' }, allowed: () => true });
    const reviewsMade = (): number => api.calls.filter((c) => c.endsWith('tokenreviews')).length;
    const kube = new KubeReviewer({ post: api.post, now: () => now, ttlMs: 60_000, negativeTtlMs: 10_000 });
    const burst = await Promise.all(Array.from({ length: 50 }, () => kube.authenticate('good')));
    expect(burst.every((w) => w?.user === 'alice')).toBe(true);
    expect(reviewsMade()).toBe(1);
    expect(await kube.authenticate('bad')).toBeUndefined();
    now = 9_000;
    await kube.authenticate('bad');
    expect(reviewsMade()).toBe(2);
    now = 11_000;
    await kube.authenticate('bad');
    expect(reviewsMade()).toBe(3);
  });

  it('renews an answer in use in the background, so a steady caller never waits and never lapses', async () => {
    let now = 0;
    const api = reviews({ users: { good: 'alice' } });
    const reviewsMade = (): number => api.calls.filter((c) => c.endsWith('tokenreviews')).length;
    const kube = new KubeReviewer({ post: api.post, now: () => now, ttlMs: 60_000 });
    await kube.authenticate('good');
    now = 29_000;
    await kube.authenticate('good');
    expect(reviewsMade()).toBe(1);
    // Half the time gone: answered from the cache at once, renewed behind it.
    now = 31_000;
    expect((await kube.authenticate('good'))?.user).toBe('alice');
    await new Promise((r) => setTimeout(r, 20));
    expect(reviewsMade()).toBe(2);
    // Past the first answer's expiry (60 s), the renewed one (31 s + 60 s) holds.
    now = 60_500;
    expect((await kube.authenticate('good'))?.user).toBe('alice');
    expect(reviewsMade()).toBe(2);
  });

  it('runs at most maxInFlight reviews at once and refuses beyond the waiting room', async () => {
    let running = 0;
    let most = 0;
    const post = async (): Promise<unknown> => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 10));
      running--;
      return { status: { authenticated: false } };
    };
    const kube = new KubeReviewer({ post, maxInFlight: 3, maxWaiting: 10 });
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => kube.authenticate(`token-${i}`)));
    expect(most).toBe(3);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(13);
    expect(results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => String(r.reason))).toContain('ReviewUnavailable: too many authentication reviews waiting');
  });

  it('keeps at most maxEntries answers of each kind: no flood of refusals pushes out who may come in', async () => {
    const api = reviews({ users: { alertmanager: 'system:serviceaccount:monitoring:alertmanager' } });
    const kube = new KubeReviewer({ post: api.post, maxEntries: 16, maxInFlight: 64, maxWaiting: 10_000 });
    await kube.authenticate('alertmanager');
    await Promise.all(Array.from({ length: 5000 }, (_, i) => kube.authenticate(`made-up-${i}`)));
    const before = api.calls.length;
    expect((await kube.authenticate('alertmanager'))?.user).toBe('system:serviceaccount:monitoring:alertmanager');
    expect(api.calls.length).toBe(before);
    // Refusals are bounded too: the oldest made-up token is asked about again.
    await kube.authenticate('made-up-0');
    expect(api.calls.length).toBe(before + 1);
  });
});
