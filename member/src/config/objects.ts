/**
 * Sorting raw objects (from YAML files or the cluster) into a SnapshotInput: Herald kinds are
 * checked against the same schemas the CRDs are generated from, Secrets become a lookup. An
 * object that does not fit is reported with the field that is wrong and left out.
 */
import { Value } from '@sinclair/typebox/value';
import { API_VERSION, KINDS, PROPAGATED_KINDS } from '@herald/shared';
import type { Problem, SnapshotInput } from './snapshot.js';
import type { ConfigInput } from './input.js';

export { toSnapshotInput, type ConfigInput } from './input.js';

export interface RawObject {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown; labels?: unknown };
  spec?: unknown;
  data?: unknown;
  stringData?: unknown;
}

/** The kinds an agent runs: every kind the host propagates. */
const AGENT_KINDS: ReadonlySet<string> = new Set(PROPAGATED_KINDS);

function schemaProblems(kind: string, spec: unknown): string[] {
  const def = KINDS.find((k) => k.kind === kind);
  if (!def) return [`unknown kind ${kind}`];
  try {
    return [...Value.Errors(def.spec, spec)].slice(0, 3).map((e) => `spec${e.path.replaceAll('/', '.')}: ${e.message}`);
  } catch (err) {
    // A validator failure must cost one object, never the agent.
    return [`spec: cannot be validated: ${(err as Error).message}`];
  }
}

function dataOf(o: RawObject): Record<string, string> {
  const data = { ...((o.data as Record<string, string> | undefined) ?? {}) };
  for (const [k, v] of Object.entries((o.stringData as Record<string, string> | undefined) ?? {})) {
    data[k] = Buffer.from(String(v), 'utf8').toString('base64');
  }
  return data;
}

const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);

/** Why a Herald object cannot be used, or nothing when it can. */
function issuesOf(kind: string, name: string, spec: unknown): string[] {
  if (name === '') return ['metadata.name is required'];
  const issues = schemaProblems(kind, spec);
  if (kind === 'Settings' && name !== 'default') issues.push('metadata.name: Settings must be named default');
  return issues;
}

/** sortObjects returns the configuration and the problems found; `where` names the source in problems. */
export function sortObjects(objects: { object: RawObject; where: string }[]): { input: ConfigInput; problems: Problem[] } {
  const problems: Problem[] = [];
  const lists: Record<string, unknown[]> = Object.fromEntries(PROPAGATED_KINDS.map((k) => [k, []]));
  const secretData: ConfigInput['secretData'] = {};
  for (const { object: o, where } of objects) {
    const kind = str(o.kind);
    const name = str(o.metadata?.name);
    if (o.apiVersion === 'v1' && kind === 'Secret') {
      secretData[`${str(o.metadata?.namespace, 'herald-system')}/${name}`] = { data: dataOf(o) };
      continue;
    }
    if (o.apiVersion !== API_VERSION || !AGENT_KINDS.has(kind)) continue;
    const issues = issuesOf(kind, name, o.spec);
    if (issues.length > 0) {
      problems.push({ kind, name: name || `(${where})`, message: `${where}: ${issues.join('; ')}` });
      continue;
    }
    lists[kind]?.push(o);
  }
  const input: ConfigInput = {
    configs: lists['Config'] as SnapshotInput['configs'],
    receivers: lists['Receiver'] as SnapshotInput['receivers'],
    routers: lists['Router'] as SnapshotInput['routers'],
    silences: lists['Silence'] as SnapshotInput['silences'],
    inhibitRules: lists['InhibitRule'] as SnapshotInput['inhibitRules'],
    templates: lists['Template'] as SnapshotInput['templates'],
    rules: lists['Rule'] as SnapshotInput['rules'],
    settings: (lists['Settings'] as SnapshotInput['settings'][])[0],
    secretData,
  };
  return { input, problems };
}
