/**
 * Which receivers a notification goes to (Notification Manager's semantics, kept):
 * 1. a matching global Silence drops it;
 * 2. matching Routers name receivers (by name, regex, selector or tenant), optionally per channel;
 * 3. unless the route policy is RouterOnly (or RouterFirst and a Router matched), the receivers of
 *    the notification's tenant and every global receiver are added;
 * 4. a matching Silence of a receiver's tenant, a disabled channel or a channel's alertSelector
 *    that does not match removes that receiver channel.
 * Pure: the snapshot and the clock are passed in.
 */
import type { Channel } from '@herald/shared';
import type { CompiledReceiver, CompiledRouter, CompiledSilence, Snapshot } from '../config/snapshot.js';
import type { Labels } from '../model/notification.js';
import { isSilenceActive } from '@herald/shared/silence';
import { targetKey } from '../model/target-key.js';

export interface RoutedTarget {
  /** `<receiver>/<channel>`: the delivery queue key. */
  key: string;
  receiver: string;
  channel: Channel;
}

export interface RouteResult {
  targets: RoutedTarget[];
  /** Set when a global Silence muted the notification. */
  silencedBy?: string;
}

type Pick = { receiver: CompiledReceiver; types: Set<Channel> | undefined };

function routerPicks(router: CompiledRouter, receivers: readonly CompiledReceiver[]): Pick[] {
  return receivers.flatMap((r): Pick[] => {
    const byTenant = router.tenants.find((t) => r.scope.kind === 'tenant' && r.scope.tenant === t.tenant);
    if (byTenant) return [{ receiver: r, types: byTenant.types ?? router.types }];
    const named =
      router.names.has(r.name) || (router.regexName?.test(r.name) ?? false) || (router.selector?.(r.labels) ?? false);
    return named ? [{ receiver: r, types: router.types }] : [];
  });
}

/** The receivers picked before filtering: routers' picks, then (per policy) tenant and global receivers. */
function candidates(labels: Labels, snap: Snapshot): Pick[] {
  const matched = snap.routers.filter((r) => r.match(labels));
  const picks = matched.flatMap((r) => routerPicks(r, snap.receivers));
  const { routePolicy, tenantKey } = snap.settings;
  if (routePolicy === 'RouterOnly' || (routePolicy === 'RouterFirst' && matched.length > 0)) return picks;
  const tenant = labels[tenantKey];
  const mine = (r: CompiledReceiver): boolean =>
    r.scope.kind === 'global' || (r.scope.kind === 'tenant' && tenant !== undefined && r.scope.tenant === tenant);
  return [...picks, ...snap.receivers.filter(mine).map((receiver) => ({ receiver, types: undefined }))];
}

const activeSilences = (labels: Labels, snap: Snapshot, now: Date): CompiledSilence[] =>
  snap.silences.filter((s) => s.match(labels) && isSilenceActive(s.object.spec, now));

export function route(labels: Labels, snap: Snapshot, now: Date): RouteResult {
  const silences = activeSilences(labels, snap, now);
  const silencedBy = silences.find((s) => s.scope.kind === 'global')?.name;
  if (silencedBy) return { targets: [], silencedBy };
  const muted = new Set(silences.flatMap((s) => (s.scope.kind === 'tenant' ? [s.scope.tenant] : [])));

  const targets = new Map<string, RoutedTarget>();
  for (const { receiver, types } of candidates(labels, snap)) {
    if (receiver.scope.kind === 'tenant' && muted.has(receiver.scope.tenant)) continue;
    for (const c of receiver.channels) {
      if (!c.enabled || (types && !types.has(c.channel)) || !c.alertMatch(labels)) continue;
      const key = targetKey(receiver.name, c.channel);
      targets.set(key, { key, receiver: receiver.name, channel: c.channel });
    }
  }
  return { targets: [...targets.values()].sort((a, b) => a.key.localeCompare(b.key)) };
}
