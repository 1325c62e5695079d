/**
 * What to do on a member (pure): compare the desired copies with the managed copies found there.
 * A copy is applied when it is missing or differs; a copy Herald no longer wants is deleted. A
 * difference where Herald had already applied the same desired object is drift — someone edited
 * or deleted the copy on the member — and is reported as well as repaired.
 */
import { isDeepStrictEqual } from 'node:util';
import type { MemberObject } from './render.js';

export interface Found {
  path: string;
  object: { metadata?: { labels?: Record<string, string> }; spec?: unknown; data?: unknown; type?: string };
}

export interface Plan {
  apply: MemberObject[];
  remove: string[];
  drift: { object: MemberObject; how: 'edited' | 'deleted' }[];
}

/** Whether a copy on the member says what the desired object says (labels may be added there). */
export function matches(desired: MemberObject, found: Found['object']): boolean {
  const labels = found.metadata?.labels ?? {};
  const sameLabels = Object.entries(desired.metadata.labels).every(([k, v]) => labels[k] === v);
  return sameLabels && (desired.kind === 'Secret' ? sameSecret(desired, found) : isDeepStrictEqual(desired.spec ?? {}, found.spec ?? {}));
}

function sameSecret(desired: MemberObject, found: Found['object']): boolean {
  return isDeepStrictEqual(desired.data ?? {}, found.data ?? {}) && (desired.type ?? 'Opaque') === (found.type ?? 'Opaque');
}

export function planFor(args: {
  desired: { path: string; object: MemberObject }[];
  found: Found[];
  /** Paths → JSON of what Herald last applied there successfully. */
  applied: ReadonlyMap<string, string>;
}): Plan {
  const found = new Map(args.found.map((f) => [f.path, f.object]));
  const plan: Plan = { apply: [], remove: [], drift: [] };
  for (const { path, object } of args.desired) {
    const copy = found.get(path);
    if (copy && matches(object, copy)) continue;
    plan.apply.push(object);
    if (args.applied.get(path) === JSON.stringify(object)) plan.drift.push({ object, how: copy ? 'edited' : 'deleted' });
  }
  const wanted = new Set(args.desired.map((d) => d.path));
  plan.remove = args.found.map((f) => f.path).filter((p) => !wanted.has(p));
  return plan;
}
