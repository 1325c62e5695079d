/**
 * The onRequest hook of an authenticated route scope. It runs for the route the router matched,
 * whatever spelling the request line used (percent-escapes, absolute-form targets), and before the
 * body is read, so an unauthenticated caller costs no parsing. Structural types keep the shared
 * package free of the HTTP framework.
 */
import { authorize, type Authorizer, type Permission, type Verdict } from './authorize.js';

interface HookRequest {
  method: string;
  headers: { authorization?: string | undefined; [PROXIED_AUTHORIZATION]?: string | string[] | undefined };
}

/**
 * Where a caller puts its bearer token when a Kubernetes API server's service proxy stands
 * between (the host reaching a member's agent): the proxy keeps `Authorization` for itself (it
 * holds the caller's credential for the API server) and passes this header on. The token is
 * reviewed exactly as an `Authorization` one; when both come, `Authorization` is the one used.
 */
export const PROXIED_AUTHORIZATION = 'x-herald-authorization';

/** The Authorization-style header of a request: its own, else the proxied one. */
export function authorizationOf(headers: HookRequest['headers']): string | undefined {
  const proxied = headers[PROXIED_AUTHORIZATION];
  return headers.authorization ?? (typeof proxied === 'string' ? proxied : undefined);
}

interface HookReply {
  status(code: number): HookReply;
  header(name: string, value: string): HookReply;
  send(body: unknown): unknown;
}

export interface AuthHookOptions {
  auth: Authorizer;
  /** The permission the request needs (by its method or route); none defined means refused. */
  permission: (request: HookRequest) => Permission | undefined;
  /** The error body for a refusal. */
  body: (status: number, reason: string, message: string) => unknown;
  /** Called for every refusal (metrics, a log line). */
  refused?: (request: HookRequest, verdict: Extract<Verdict, { ok: false }>) => void;
  /** Called for every caller let through. */
  allowed?: (request: HookRequest, who: string) => void;
}

/** A callback-style hook: the request goes on (`done()`) or is answered here (no `done`, as the framework wants). */
export function authHook(o: AuthHookOptions) {
  return (request: HookRequest, reply: HookReply, done: (err?: Error) => void): void => {
    const finish = (verdict: Verdict): void => {
      if (verdict.ok) {
        o.allowed?.(request, verdict.who);
        done();
        return;
      }
      o.refused?.(request, verdict);
      if (verdict.status === 401) reply.header('www-authenticate', 'Bearer');
      if (verdict.status === 503) reply.header('retry-after', '5');
      reply.status(verdict.status).send(o.body(verdict.status, verdict.reason, verdict.message));
    };
    const permission = o.permission(request);
    // Fail closed: a route in a guarded scope without a permission of its own is a bug, not an open door.
    const verdict: Verdict | Promise<Verdict> = permission
      ? authorize(o.auth, authorizationOf(request.headers), permission)
      : { ok: false, status: 403, reason: 'forbidden', message: 'no permission is defined for this route' };
    if (verdict instanceof Promise) verdict.then(finish, (err: unknown) => done(err instanceof Error ? err : new Error(String(err))));
    else finish(verdict);
  };
}
