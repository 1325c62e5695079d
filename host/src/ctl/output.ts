/** Manifests printed as `-o yaml` (documents, kubectl's form) or `-o json` (a v1 List) (pure). */
import { stringify } from 'yaml';
import type { Output } from './command.js';

/** Several manifests: YAML documents separated by ---, or a JSON v1 List. */
export function renderManifests(items: readonly unknown[], output: Output): string {
  if (output === 'json') return JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 2);
  return items.map((i) => stringify(i, { lineWidth: 0 }).trimEnd()).join('\n---\n');
}
