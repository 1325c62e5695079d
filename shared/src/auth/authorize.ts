/**
 * Who may call a route: a static token that grants the route's role, or a Kubernetes identity
 * (TokenReview) allowed the route's attributes (SubjectAccessReview), or anyone when the role is
 * explicitly open. Decides; the HTTP framework only asks (see authHook).
 */
import { ReviewUnavailable, type KubeReviewer, type ResourceAttributes } from './kube-review.js';
import type { StaticTokens } from './static-tokens.js';

export interface Permission {
  /** The role a static token must grant. */
  role: string;
  /** What a Kubernetes identity must be allowed (all of them). */
  attributes: readonly ResourceAttributes[];
}

export type Verdict =
  | { ok: true; who: string }
  | { ok: false; status: 401 | 403 | 503; reason: 'unauthorized' | 'forbidden' | 'unavailable'; message: string };

export interface Authorizer {
  tokens?: StaticTokens | undefined;
  kube?: KubeReviewer | undefined;
  /** Roles anyone may use without a token (only ever by an explicit flag). */
  anonymous?: ReadonlySet<string>;
}

/** The token of an `Authorization: Bearer <token>` header (the scheme is case-insensitive). */
export function bearerToken(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^bearer +(\S+) *$/i.exec(header);
  return m?.[1];
}

const describe = (a: ResourceAttributes): string =>
  `${a.verb} ${a.resource}${a.subresource ? `/${a.subresource}` : ''}${a.group ? `.${a.group}` : ''}${a.name ? ` ${a.name}` : ''}${a.namespace ? ` in namespace ${a.namespace}` : ''}`;

const refuse = (status: 401 | 403 | 503, message: string): Verdict => ({
  ok: false,
  status,
  reason: status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : 'unavailable',
  message,
});

/**
 * Whether the caller with this Authorization header has the permission; a refusal is a verdict,
 * not an error. Decided at once (no promise) unless the API server must be asked: a static token
 * costs ingest no extra turn of the event loop.
 */
export function authorize(auth: Authorizer, header: string | undefined, permission: Permission): Verdict | Promise<Verdict> {
  if (auth.anonymous?.has(permission.role)) return { ok: true, who: 'anonymous' };
  const token = bearerToken(header);
  if (token === undefined) return refuse(401, `a bearer token is required (${permission.role})`);
  const roles = auth.tokens?.rolesOf(token);
  if (roles?.has(permission.role)) return { ok: true, who: `token-file:${permission.role}` };
  if (roles && roles.size > 0) return refuse(403, `this token grants ${[...roles].join(', ')}, not ${permission.role}`);
  return auth.kube ? reviewed(auth.kube, token, permission) : refuse(401, 'the bearer token is not valid');
}

/** The verdict of Kubernetes on a token: who it is (TokenReview), and whether they may (SubjectAccessReview). */
async function reviewed(kube: KubeReviewer, token: string, permission: Permission): Promise<Verdict> {
  try {
    const who = await kube.authenticate(token);
    if (!who) return refuse(401, 'the bearer token is not valid');
    for (const attrs of permission.attributes) {
      if (!(await kube.authorize(who, attrs))) return refuse(403, `${who.user} may not ${describe(attrs)}`);
    }
    return { ok: true, who: who.user };
  } catch (err) {
    if (err instanceof ReviewUnavailable) return refuse(503, `cannot check the caller now: ${err.message}`);
    throw err;
  }
}
