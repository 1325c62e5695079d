/** Reading a provider's HTTP reply: its JSON body (if it is JSON) and single header values. */
import type { HttpReply } from './http.js';

/** The body parsed as a JSON object, or undefined (HTML error pages, empty 204s, truncated bodies). */
export function jsonObjectOf(reply: Pick<HttpReply, 'body'>): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(reply.body);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function headerOf(reply: Pick<HttpReply, 'headers'>, name: string): string | undefined {
  const value = reply.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** A positive number of seconds (a body's retry_after) as milliseconds. */
export function secondsToMs(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.ceil(value * 1000) : undefined;
}

/** A string or number field of a reply as text; anything else (absent, an object) as `fallback`. */
export function textOf(value: unknown, fallback = ''): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : fallback;
}
