/**
 * What to do on a member (pure): compare the desired copies with the managed copies found there.
 * A copy is applied when it is missing or differs; a copy Herald no longer wants is deleted. A
 * difference where Herald had already applied the same desired object is drift — someone edited
 * or deleted the copy on the member — and is reported as well as repaired.
 */
import { isDeepStrictEqual } from 'node:util';
import type { MemberObject, RenderOutcome } from './render.js';

export interface Found {
  path: string;
  object: { metadata?: { labels?: Record<string, string>; generation?: number }; spec?: unknown; data?: unknown; type?: string; status?: unknown };
}

export interface Plan {
  apply: MemberObject[];
  remove: string[];
  drift: { object: MemberObject; how: 'edited' | 'deleted' }[];
}

/** Whether a copy on the member says what the desired object says (labels may be added there). */
function matches(desired: MemberObject, found: Found['object']): boolean {
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

/**
 * The objects whose Secrets could not be written on the member: each is held back (not applied),
 * its status naming the Secrets; one whose Secret is someone else's is not wanted there at all (it
 * would read that Secret), so a copy of it already there is removed. Failures are by `Kind/name`,
 * a Secret's by `Secret/namespace/name`.
 */
export function heldBack(
  outcomes: readonly Pick<RenderOutcome, 'kind' | 'name' | 'object' | 'secrets'>[],
  secretFailures: ReadonlyMap<string, { message: string; foreign: boolean }>,
): { failures: Map<string, string>; unwanted: MemberObject[] } {
  const failures = new Map<string, string>();
  const unwanted: MemberObject[] = [];
  for (const [key, f] of secretFailures) failures.set(`Secret/${key}`, f.message);
  for (const r of outcomes) {
    const failed = r.secrets.flatMap((k) => secretFailures.get(k) ?? []);
    if (failed.length === 0 || !r.object) continue;
    failures.set(`${r.kind}/${r.name}`, failed.map((f) => f.message).join('; '));
    if (failed.some((f) => f.foreign)) unwanted.push(r.object);
  }
  return { failures, unwanted };
}

/** The key a copy's failure has in `heldBack`'s failures. */
export const failureKey = (o: MemberObject): string => (o.kind === 'Secret' ? `Secret/${o.metadata.namespace ?? ''}/${o.metadata.name}` : `${o.kind}/${o.metadata.name}`);
