/**
 * Resolves a delivery queue key (`<receiver>/<channel>`) against the current snapshot: the
 * Receiver's channel block and the Config it selects. Deliveries use the configuration in force
 * when they are sent, so a fixed Secret or Config takes effect on the next retry.
 */
import type { Snapshot } from '../config/snapshot.js';
import type { Target } from '../notify/notifier.js';
import { selectConfig } from '../routing/select-config.js';
import { parseTargetKey } from '../model/target-key.js';
import { needsConfig, noConfig, type ChannelBlock } from '../notify/config-need.js';

export type Resolved = { ok: true; target: Target } | { ok: false; retryable: boolean; error: string };

export function resolveTarget(key: string, snap: Snapshot): Resolved {
  const { receiver: name, channel } = parseTargetKey(key);
  const receiver = snap.receivers.find((r) => r.name === name);
  const spec = receiver?.object.spec[channel];
  if (!receiver || !spec) {
    // The Receiver (or this channel of it) was deleted after the notification was routed to it.
    return { ok: false, retryable: false, error: `receiver ${name} no longer has a ${channel} channel` };
  }
  const config = selectConfig({ receiver, channel, configs: snap.configs, settings: snap.settings });
  // spec is this channel's block (read by the key's channel); TypeScript cannot pair the two.
  if (!config && needsConfig({ channel, spec } as ChannelBlock)) {
    const waits = noConfig(channel, name);
    return { ok: false, retryable: waits.retryable, error: waits.message };
  }
  return {
    ok: true,
    target: { key, receiver: name, channel, spec, config: config?.spec[channel], configName: config?.metadata.name },
  };
}
