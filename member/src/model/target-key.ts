/**
 * A delivery queue's key: `<receiver>/<channel>`. Receiver names are Kubernetes names (no `/`),
 * so the last `/` splits it.
 */
import type { Channel } from '@herald/shared/channels';

export function targetKey(receiver: string, channel: Channel): string {
  return `${receiver}/${channel}`;
}

export function parseTargetKey(key: string): { receiver: string; channel: Channel } {
  const slash = key.lastIndexOf('/');
  return { receiver: key.slice(0, slash), channel: key.slice(slash + 1) as Channel };
}
