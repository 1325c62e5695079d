/**
 * Which Config a receiver's channel uses (Notification Manager's rules): a tenant receiver takes
 * its own tenant's Configs that match its selector, else a default Config; a global receiver
 * takes default Configs (that match its selector, when it has one). Ties go to the lowest
 * numeric `priority` label, then to the name.
 */
import type { Channel, Config, LabelSelector, Receiver } from '@herald/shared';
import { compileSelector, isEmptySelector } from '@herald/shared/selector';
import type { EffectiveSettings } from '../config/settings.js';
import type { CompiledReceiver } from '../config/snapshot.js';

const priority = (c: Config): number => {
  const p = Number(c.metadata.labels?.['priority']);
  return Number.isFinite(p) ? p : Number.POSITIVE_INFINITY;
};
const best = (configs: Config[]): Config | undefined =>
  [...configs].sort((a, b) => priority(a) - priority(b) || a.metadata.name.localeCompare(b.metadata.name))[0];

/** The channel block's `<channel>ConfigSelector`. */
export function configSelectorOf(receiver: Receiver, channel: Channel): LabelSelector | undefined {
  const block = receiver.spec[channel] as Record<string, unknown> | undefined;
  return block?.[`${channel}ConfigSelector`] as LabelSelector | undefined;
}

export function selectConfig(args: {
  receiver: CompiledReceiver;
  channel: Channel;
  configs: readonly Config[];
  settings: EffectiveSettings;
}): Config | undefined {
  const { receiver, channel, settings } = args;
  const candidates = args.configs.filter((c) => c.spec[channel] !== undefined);
  const selector = configSelectorOf(receiver.object, channel);
  const matches = compileSelector(selector);
  const isDefault = compileSelector(settings.defaultConfigSelector);
  const defaults = candidates.filter((c) => isDefault(c.metadata.labels ?? {}));
  if (receiver.scope.kind === 'tenant' && !isEmptySelector(selector)) {
    const tenant = receiver.scope.tenant;
    const own = candidates.filter((c) => c.metadata.labels?.[settings.tenantKey] === tenant && matches(c.metadata.labels ?? {}));
    return best(own) ?? best(defaults);
  }
  return best(defaults.filter((c) => matches(c.metadata.labels ?? {}))) ?? best(defaults);
}
