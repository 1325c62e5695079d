/**
 * Where an object goes (pure): the PropagationPolicies that select it decide the members, and
 * contribute their per-member JSON-patch overrides. An object no policy selects goes to every
 * member (Notification Manager's behaviour). When several policies select an object, it goes to
 * the union of their placements and takes the overrides of each, in policy-name order.
 */
import type { JsonPatchOperation, LabelSelector, PropagatedKind, PropagationPolicy } from '@herald/shared';
import { compileSelector } from '@herald/shared/selector';

export interface MemberInfo {
  name: string;
  labels: Record<string, string>;
}

export interface ObjectRef {
  kind: PropagatedKind;
  name: string;
  labels: Record<string, string>;
}

export interface Placement {
  /** Member names, sorted. */
  members: string[];
  /** Patches to apply per member (only members with any). */
  overrides: Map<string, JsonPatchOperation[]>;
  /** Names of the policies that selected the object. */
  policies: string[];
}

const matches = (selector: LabelSelector | undefined, labels: Record<string, string>): boolean => compileSelector(selector)(labels);

function selects(policy: PropagationPolicy, o: ObjectRef): boolean {
  return policy.spec.resourceSelectors.some(
    (s) => s.kind === o.kind && (s.name === undefined || s.name === o.name) && (s.labelSelector === undefined || matches(s.labelSelector, o.labels)),
  );
}

function placed(policy: PropagationPolicy, m: MemberInfo): boolean {
  const p = policy.spec.placement;
  if (!p) return true;
  if (p.exclude?.includes(m.name)) return false;
  if (p.clusterNames && !p.clusterNames.includes(m.name)) return false;
  return p.clusterSelector === undefined || matches(p.clusterSelector, m.labels);
}

export function placementFor(o: ObjectRef, policies: readonly PropagationPolicy[], members: readonly MemberInfo[]): Placement {
  const selecting = policies.filter((p) => selects(p, o)).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const chosen = selecting.length === 0 ? members : members.filter((m) => selecting.some((p) => placed(p, m)));
  const overrides = new Map<string, JsonPatchOperation[]>();
  for (const m of chosen) {
    const patches = selecting.flatMap((p) =>
      (p.spec.overrides ?? [])
        .filter((ov) => (ov.kind === undefined || ov.kind === o.kind) && (ov.name === undefined || ov.name === o.name))
        .filter((ov) => (ov.clusterNames?.includes(m.name) ?? false) || (ov.clusterSelector !== undefined && matches(ov.clusterSelector, m.labels)))
        .flatMap((ov) => ov.patches),
    );
    if (patches.length > 0) overrides.set(m.name, patches);
  }
  return { members: chosen.map((m) => m.name).sort(), overrides, policies: selecting.map((p) => p.metadata.name) };
}
