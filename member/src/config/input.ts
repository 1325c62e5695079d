/** Configuration as plain data, and its conversion to a snapshot input (no schema code: the pipeline thread loads this). */
import type { SecretData } from '@herald/shared';
import type { SnapshotInput } from './snapshot.js';

/**
 * Configuration as plain data (objects and Secret data, no functions), so it can be handed to
 * the pipeline's worker thread and turned into a Snapshot there.
 */
export type ConfigInput = Omit<SnapshotInput, 'secrets'> & { secretData: Record<string, { data: Record<string, string> }> };

/** toSnapshotInput gives the Secret data its lookup function. */
export function toSnapshotInput(config: ConfigInput): SnapshotInput {
  const { secretData, ...rest } = config;
  return { ...rest, secrets: (ns, name): SecretData | undefined => secretData[`${ns}/${name}`] };
}
