/** Objects printed as `-o yaml` (documents, kubectl's form) or `-o json` (one value) (pure). */
import { stringify } from 'yaml';
import type { Output } from './command.js';

export function render(value: unknown, output: Output): string {
  return output === 'json' ? JSON.stringify(value, null, 2) : stringify(value, { lineWidth: 0 }).trimEnd();
}

/** Several manifests: YAML documents separated by ---, or a JSON v1 List. */
export function renderManifests(items: readonly unknown[], output: Output): string {
  if (output === 'json') return JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 2);
  return items.map((i) => stringify(i, { lineWidth: 0 }).trimEnd()).join('\n---\n');
}
