/**
 * The desired state of one member (pure): every host object placed there, with its overrides,
 * the Secrets those objects reference (a Secret never travels on its own), and the member's own
 * identity in Settings. An object referencing a Secret the rules refuse (secret-policy.ts) is not
 * placed there at all: its outcome is ApplyFailed, naming the Secret and the rule.
 *
 * Identity is written after the overrides, a departure from "identity, then overrides": an
 * override must not be able to give a member another member's name (Notification Manager ks#3644).
 */
import { API_VERSION, PROPAGATED_KINDS, type PropagatedKind, type PropagationPolicy } from '@herald/shared';
import { secretRefsOf, DEFAULT_SECRET_NAMESPACE } from '@herald/shared/credential';
import { applyOverrides } from './overrides.js';
import { placementFor, type MemberInfo } from './placement.js';
import { COPIED_FROM_ANNOTATION, MANAGED_BY, MANAGED_BY_LABEL, keyOf, refusedByType, refusedForMember, refusedOnHost, type SecretRules } from './secret-policy.js';

export { MANAGED_BY, MANAGED_BY_LABEL };
const GENERATION_ANNOTATION = 'herald.dev/source-generation';

export interface HostObject {
  apiVersion: string;
  kind: PropagatedKind;
  metadata: { name: string; generation?: number; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

/** A referenced Secret as the host read it (a ServiceAccount token: its type only, never its data). */
export interface HostSecret {
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  type?: string;
  data?: Record<string, string>;
}

export interface Member extends MemberInfo {
  /** Labels stamped on this member's notifications (MemberCluster identityLabels). */
  identityLabels: Record<string, string>;
  /** Where Herald may write Secrets on this member (MemberCluster spec.secretNamespaces). */
  secretNamespaces: readonly string[];
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
  error?: { state: 'ApplyOverridesFailed' | 'ApplyFailed'; message: string };
  /** Referenced Secrets the host does not have. */
  missingSecrets: string[];
  /** The Secrets (`namespace/name`) that travel with the copy: it goes out only once they are there. */
  secrets: string[];
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
  const base = { kind: o.kind, name: o.metadata.name, generation: o.metadata.generation, missingSecrets: [] as string[], secrets: [] as string[] };
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

/**
 * The member copies of the Secrets that placed objects reference; notes the ones the host lacks.
 * An object referencing a refused Secret loses its copy (nothing that references it propagates)
 * and says why.
 */
function secretsFor(outcomes: RenderOutcome[], secrets: readonly HostSecret[], rules: SecretRules, member: Member): MemberObject[] {
  const byKey = new Map(secrets.map((s) => [keyOf(s.metadata), s]));
  const wanted = new Map<string, MemberObject>();
  for (const r of outcomes) {
    if (!r.object) continue;
    const refs = secretRefsOf(r.object.spec, DEFAULT_SECRET_NAMESPACE);
    const refused = refs.flatMap((ref) => {
      const why = refusedOnHost(ref, rules) ?? refusedForMember(ref, member) ?? refusedByType(ref, byKey.get(keyOf(ref))?.type);
      return why === undefined ? [] : [why];
    });
    if (refused.length > 0) {
      delete r.object;
      r.error = { state: 'ApplyFailed', message: refused.join('; ') };
      continue;
    }
    for (const ref of refs) {
      const key = keyOf(ref);
      const s = byKey.get(key);
      if (!s) {
        r.missingSecrets.push(key);
        continue;
      }
      r.secrets.push(key);
      wanted.set(key, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: ref.name, namespace: ref.namespace, labels: managedLabels(), annotations: { [COPIED_FROM_ANNOTATION]: key } },
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
  /** The referenced Secrets the host read (only those the rules let it read). */
  secrets: readonly HostSecret[];
  rules: SecretRules;
}): DesiredState {
  const { member } = args;
  const outcomes: RenderOutcome[] = [];
  for (const o of args.objects) {
    const placement = placementFor({ kind: o.kind, name: o.metadata.name, labels: o.metadata.labels ?? {} }, args.policies, args.members);
    if (!placement.members.includes(member.name)) {
      outcomes.push({ kind: o.kind, name: o.metadata.name, generation: o.metadata.generation, missingSecrets: [], secrets: [] });
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
  const secrets = secretsFor(outcomes, args.secrets, args.rules, member);
  const objects = outcomes.flatMap((r) => (r.object ? [r.object] : []));
  const order = (k: string): number => PROPAGATED_KINDS.indexOf(k as PropagatedKind);
  return { objects: [...secrets, ...objects.sort((a, b) => order(a.kind) - order(b.kind))], outcomes };
}
