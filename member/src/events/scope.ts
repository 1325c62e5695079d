/** Which namespaces the agent watches Events in (kept apart so the CLI loads no Kubernetes client to parse it). */

/** `--events`: "all" namespaces, "none", or a comma-separated list of namespaces. */
export function parseEventScope(value: string): string[] | 'none' | undefined {
  if (value === 'all') return undefined;
  if (value === 'none') return 'none';
  const namespaces = value.split(',').map((n) => n.trim()).filter((n) => n !== '');
  const bad = namespaces.find((n) => !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(n) || n.length > 63);
  if (namespaces.length === 0 || bad !== undefined) throw new Error(`--events ${value}: use all, none, or namespace names separated by commas`);
  return namespaces;
}
