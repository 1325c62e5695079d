/**
 * The onRequest hook of an authenticated route scope. It runs for the route the router matched,
 * whatever spelling the request line used (percent-escapes, absolute-form targets), and before the
 * body is read, so an unauthenticated caller costs no parsing. Structural types keep the shared
 * package free of the HTTP framework.
 */
import { authorize, type Authorizer, type Permission, type Verdict } from './authorize.js';

interface HookRequest {
  method: string;
  headers: { authorization?: string | undefined };
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

export function authHook(o: AuthHookOptions) {
  return async (request: HookRequest, reply: HookReply): Promise<void> => {
    const permission = o.permission(request);
    // Fail closed: a route in a guarded scope without a permission of its own is a bug, not an open door.
    const verdict: Verdict = permission
      ? await authorize(o.auth, request.headers.authorization, permission)
      : { ok: false, status: 403, reason: 'forbidden', message: 'no permission is defined for this route' };
    if (verdict.ok) {
      o.allowed?.(request, verdict.who);
      return;
    }
    o.refused?.(request, verdict);
    if (verdict.status === 401) reply.header('www-authenticate', 'Bearer');
    if (verdict.status === 503) reply.header('retry-after', '5');
    reply.status(verdict.status).send(o.body(verdict.status, verdict.reason, verdict.message));
  };
}
