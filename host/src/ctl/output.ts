/** Manifests printed as `-o yaml` (documents, kubectl's form) or `-o json` (a v1 List), and tables (pure). */
import { stringify } from 'yaml';
import type { Output } from './command.js';

/** Several manifests: YAML documents separated by ---, or a JSON v1 List. */
export function renderManifests(items: readonly unknown[], output: Output): string {
  if (output === 'json') return JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 2);
  return items.map((i) => stringify(i, { lineWidth: 0 }).trimEnd()).join('\n---\n');
}

/** Columns padded to their widest cell, as kubectl prints them (pure). */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('   ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
