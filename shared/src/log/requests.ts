/**
 * One line per answered request, for the HTTP servers of both processes: health probes and
 * metric scrapes come every few seconds, so they are logged at debug; other requests at info
 * where a server logs them at all.
 */

/** Paths only probes and scrapers call. */
export const PROBE_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

interface Answered {
  request: { method: string; url: string };
  reply: { statusCode: number; elapsedTime: number };
}

/** The fields of the line: method, path (no query: it may carry a token), status, milliseconds. */
export function requestFields({ request, reply }: Answered): { method: string; path: string; status: number; ms: number } {
  return { method: request.method, path: request.url.split('?')[0] ?? '', status: reply.statusCode, ms: Math.round(reply.elapsedTime) };
}

/** The level of a request's line. */
export function requestLevel(path: string): 'debug' | 'info' {
  return PROBE_PATHS.has(path) ? 'debug' : 'info';
}
