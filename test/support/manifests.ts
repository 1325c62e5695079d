/** Loading and applying YAML manifests (examples/, fixtures) against a real API server. */
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { KubeConfig} from '@kubernetes/client-node';
import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

export interface Manifest {
  file: string;
  object: KubernetesObject & Record<string, unknown>;
}

const ORDER = ['Namespace', 'Secret'];
const rank = (kind: string | undefined): number => {
  const i = ORDER.indexOf(kind ?? '');
  return i === -1 ? ORDER.length : i;
};

async function yamlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? yamlFiles(join(dir, e.name)) : Promise.resolve(/\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : []))),
  );
  return nested.flat().sort();
}

/** Every object under `dir`, Namespaces first, then Secrets, then the rest. */
export async function loadManifests(dir: string): Promise<Manifest[]> {
  const out: Manifest[] = [];
  for (const path of await yamlFiles(dir)) {
    for (const doc of parseAllDocuments(await readFile(path, 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors[0]?.message}`);
      const object = doc.toJS() as Manifest['object'] | null;
      if (object) out.push({ file: relative(dir, path), object });
    }
  }
  return out.sort((a, b) => rank(a.object.kind) - rank(b.object.kind));
}

/** Server-side applies one object as `herald-test` and returns what the server stored. */
export function apply(kc: KubeConfig, object: KubernetesObject): Promise<KubernetesObject & Record<string, unknown>> {
  return KubernetesObjectApi.makeApiClient(kc).patch(
    object,
    undefined,
    undefined,
    'herald-test',
    true,
    PatchStrategy.ServerSideApply,
  ) as Promise<KubernetesObject & Record<string, unknown>>;
}
