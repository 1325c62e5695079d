/**
 * The desired state of one member (pure): every host object placed there, with its overrides,
 * the Secrets those objects reference (a Secret never travels on its own), and the member's own
 * identity in Settings.
 *
 * Identity is written after the overrides, a departure from "identity, then overrides": an
 * override must not be able to give a member another member's name (Notification Manager ks#3644).
 */
import { API_VERSION, PROPAGATED_KINDS, type PropagatedKind, type PropagationPolicy } from '@herald/shared';
import { secretRefsOf, DEFAULT_SECRET_NAMESPACE } from '@herald/shared/credential';
import { applyOverrides } from './overrides.js';
import { placementFor, type MemberInfo } from './placement.js';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'herald';
export const GENERATION_ANNOTATION = 'herald.dev/source-generation';

export interface HostObject {
  apiVersion: string;
  kind: PropagatedKind;
  metadata: { name: string; generation?: number; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

export interface HostSecret {
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  type?: string;
  data?: Record<string, string>;
}

export interface Member extends MemberInfo {
  /** Labels stamped on this member's notifications (MemberCluster identityLabels). */
  identityLabels: Record<string, string>;
}

export interface MemberObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  type?: string;
  data?: Record<string, string>;
}

/** Per host object, what happened when rendering it for this member. */
export interface RenderOutcome {
  kind: PropagatedKind;
  name: string;
  generation: number | undefined;
  /** Undefined when the object is not placed on this member. */
  object?: MemberObject;
  error?: { state: 'ApplyOverridesFailed'; message: string };
  /** Referenced Secrets the host does not have. */
  missingSecrets: string[];
}

export interface DesiredState {
  objects: MemberObject[];
  outcomes: RenderOutcome[];
}

const managedLabels = (labels: Record<string, string> = {}): Record<string, string> => ({ ...labels, [MANAGED_BY_LABEL]: MANAGED_BY });

/** Settings carry the member's identity: its name, and its labels picked by stampLabels plus identityLabels. */
function withIdentity(spec: Record<string, unknown>, member: Member): Record<string, unknown> {
  const stamp = (spec['stampLabels'] as string[] | undefined) ?? [];
  const picked = Object.fromEntries(stamp.filter((k) => member.labels[k] !== undefined).map((k) => [k, member.labels[k] as string]));
  return { ...spec, cluster: { name: member.name, labels: { ...picked, ...member.identityLabels } } };
}

function renderObject(o: HostObject, member: Member, patches: Parameters<typeof applyOverrides>[1]): RenderOutcome {
  const base = { kind: o.kind, name: o.metadata.name, generation: o.metadata.generation, missingSecrets: [] as string[] };
  const copy: MemberObject = {
    apiVersion: API_VERSION,
    kind: o.kind,
    metadata: {
      name: o.metadata.name,
      labels: managedLabels(o.metadata.labels),
      annotations: { [GENERATION_ANNOTATION]: String(o.metadata.generation ?? 0) },
    },
    spec: o.spec,
  };
  const patched = patches.length > 0 ? applyOverrides(copy, patches) : { ok: true as const, object: copy };
  if (!patched.ok) return { ...base, error: { state: 'ApplyOverridesFailed', message: patched.message } };
  const object = patched.object;
  if (o.kind === 'Settings') object.spec = withIdentity(object.spec ?? {}, member);
  // Overrides may not relabel a copy out of Herald's management.
  object.metadata.labels = managedLabels(object.metadata.labels);
  return { ...base, object };
}

/** The member copies of the Secrets that placed objects reference; notes the ones the host lacks. */
function secretsFor(outcomes: RenderOutcome[], secrets: readonly HostSecret[]): MemberObject[] {
  const byKey = new Map(secrets.map((s) => [`${s.metadata.namespace}/${s.metadata.name}`, s]));
  const wanted = new Map<string, MemberObject>();
  for (const r of outcomes) {
    for (const ref of r.object ? secretRefsOf(r.object.spec, DEFAULT_SECRET_NAMESPACE) : []) {
      const key = `${ref.namespace}/${ref.name}`;
      const s = byKey.get(key);
      if (!s) {
        r.missingSecrets.push(key);
        continue;
      }
      wanted.set(key, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: ref.name, namespace: ref.namespace, labels: managedLabels() },
        type: s.type ?? 'Opaque',
        data: s.data ?? {},
      });
    }
  }
  return [...wanted.values()];
}

export function desiredFor(args: {
  member: Member;
  members: readonly MemberInfo[];
  objects: readonly HostObject[];
  policies: readonly PropagationPolicy[];
  secrets: readonly HostSecret[];
}): DesiredState {
  const { member } = args;
  const outcomes: RenderOutcome[] = [];
  for (const o of args.objects) {
    const placement = placementFor({ kind: o.kind, name: o.metadata.name, labels: o.metadata.labels ?? {} }, args.policies, args.members);
    if (!placement.members.includes(member.name)) {
      outcomes.push({ kind: o.kind, name: o.metadata.name, generation: o.metadata.generation, missingSecrets: [] });
      continue;
    }
    outcomes.push(renderObject(o, member, placement.overrides.get(member.name) ?? []));
  }
  // Every member gets Settings with its identity, even when the host has none.
  if (!outcomes.some((r) => r.kind === 'Settings' && r.object)) {
    const synthetic: HostObject = { apiVersion: API_VERSION, kind: 'Settings', metadata: { name: 'default' }, spec: {} };
    const r = renderObject(synthetic, member, []);
    if (r.object) r.object.metadata.annotations = { [GENERATION_ANNOTATION]: 'synthesized' };
    outcomes.push({ ...r, generation: undefined });
  }
  const objects = outcomes.flatMap((r) => (r.object ? [r.object] : []));
  const secrets = secretsFor(outcomes, args.secrets);
  const order = (k: string): number => PROPAGATED_KINDS.indexOf(k as PropagatedKind);
  return { objects: [...secrets, ...objects.sort((a, b) => order(a.kind) - order(b.kind))], outcomes };
}
