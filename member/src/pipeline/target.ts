/**
 * Resolves a delivery queue key (`<receiver>/<channel>`) against the current snapshot: the
 * Receiver's channel block and the Config it selects. Deliveries use the configuration in force
 * when they are sent, so a fixed Secret or Config takes effect on the next retry.
 */
import type { Channel } from '@herald/shared';
import type { Snapshot } from '../config/snapshot.js';
import type { Target } from '../notify/notifier.js';
import { selectConfig } from '../routing/select-config.js';
import { parseTargetKey } from '../model/target-key.js';

/** Channels that cannot send at all without a Config (the others may use receiver-side webhooks). */
const NEEDS_CONFIG = new Set<Channel>(['email', 'slack', 'telegram', 'pushover', 'sms', 'opsgenie']);

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
  if (!config && NEEDS_CONFIG.has(channel)) {
    // Retryable: a Config created later should still deliver what waits.
    return { ok: false, retryable: true, error: `no ${channel} Config selected for receiver ${name}: create a type=default ${channel} Config or fix ${channel}ConfigSelector` };
  }
  return {
    ok: true,
    target: { key, receiver: name, channel, spec, config: config?.spec[channel], configName: config?.metadata.name },
  };
}
