/**
 * What an agent would say about a standalone configuration folder, without running it: the
 * objects it would load, and every problem it would log (a file that does not parse, a field the
 * schema refuses, a regex or cron expression that does not compile, a template that does not
 * parse), plus the Secrets and keys the objects reference that the folder does not hold, which
 * an agent only finds when it first sends. `heraldctl check-config` prints this.
 */
import { DEFAULT_SECRET_NAMESPACE } from '@herald/shared';
import { createRenderer } from '../template/renderer.js';
import { loadDir } from './dir-source.js';
import { toSnapshotInput, type ConfigInput } from './objects.js';
import { buildSnapshot, type Problem } from './snapshot.js';

export interface CheckReport {
  /** How many objects of each kind load (Secrets included), kinds sorted. */
  loaded: Record<string, number>;
  /** Everything wrong, in the agent's words: kind, name and message naming the field. */
  problems: Problem[];
}

interface SecretUse {
  namespace: string;
  name: string;
  key: string;
  /** Where in the object: spec.email.authPassword. */
  path: string;
}

/** Every secretKeyRef under `node`, with its path. */
function secretUses(node: unknown, path: string, out: SecretUse[]): SecretUse[] {
  if (Array.isArray(node)) node.forEach((v, i) => secretUses(v, `${path}[${i}]`, out));
  else if (typeof node === 'object' && node !== null) {
    const ref = (node as { secretKeyRef?: { namespace?: unknown; name?: unknown; key?: unknown } }).secretKeyRef;
    if (ref && typeof ref.name === 'string' && typeof ref.key === 'string') {
      out.push({ namespace: typeof ref.namespace === 'string' && ref.namespace ? ref.namespace : DEFAULT_SECRET_NAMESPACE, name: ref.name, key: ref.key, path });
    }
    for (const [k, v] of Object.entries(node)) if (k !== 'secretKeyRef') secretUses(v, path ? `${path}.${k}` : k, out);
  }
  return out;
}

type Named = { kind: string; metadata: { name: string }; spec: unknown };

function objectsOf(config: ConfigInput): Named[] {
  const { secretData: _secrets, settings, ...lists } = config;
  return [...(settings ? [settings] : []), ...Object.values(lists).flatMap((l): Named[] => (Array.isArray(l) ? (l as Named[]) : []))];
}

/** Secrets (and keys) referenced but not in the folder. */
export function missingSecrets(config: ConfigInput): Problem[] {
  return objectsOf(config).flatMap((o) =>
    secretUses(o.spec, 'spec', []).flatMap((u): Problem[] => {
      const secret = config.secretData[`${u.namespace}/${u.name}`];
      const where = `${u.path}.secretKeyRef`;
      if (!secret) return [{ kind: o.kind, name: o.metadata.name, message: `${where}: Secret ${u.namespace}/${u.name} is not in the folder` }];
      if (!(u.key in secret.data)) return [{ kind: o.kind, name: o.metadata.name, message: `${where}: Secret ${u.namespace}/${u.name} has no key ${u.key}` }];
      return [];
    }),
  );
}

export function checkConfig(config: ConfigInput, loadProblems: Problem[]): CheckReport {
  const snap = buildSnapshot(toSnapshotInput(config));
  const templates = createRenderer({ templates: snap.templates, language: snap.settings.language })
    .validate()
    .map((p): Problem => ({ kind: 'Template', name: p.object ?? '(Settings)', message: p.template ? `${p.template}: ${p.message}` : p.message }));
  const loaded: Record<string, number> = {};
  for (const o of objectsOf(config)) loaded[o.kind] = (loaded[o.kind] ?? 0) + 1;
  const secrets = Object.keys(config.secretData).length;
  if (secrets > 0) loaded['Secret'] = secrets;
  const sorted = Object.fromEntries(Object.entries(loaded).sort(([a], [b]) => a.localeCompare(b)));
  return { loaded: sorted, problems: [...loadProblems, ...snap.problems, ...templates, ...missingSecrets(config)] };
}

/** Reads `dir` as `herald-agent --config-dir` does and checks it. */
export async function checkConfigDir(dir: string): Promise<CheckReport> {
  const { config, problems } = await loadDir(dir);
  return checkConfig(config, problems);
}
