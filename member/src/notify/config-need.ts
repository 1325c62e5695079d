/**
 * The one rule for "no Config": which receiver blocks cannot send without a Config, and what a
 * send that meets none is told. Missing is retryable everywhere: a Config created (or a selector
 * fixed) later still delivers what waits, as delivery retries until `delivery.giveUpAfter`.
 */
import type { Channel } from '@herald/shared';
import { DeliveryError, type ReceiverBlock, type SendContext, type ConfigBlock } from './notifier.js';

/** Channels whose every send needs a Config (SMTP server, bot token, API key, provider). */
const ALWAYS = new Set<Channel>(['email', 'slack', 'telegram', 'pushover', 'sms', 'opsgenie']);

/** A channel with its Receiver block, as a union over channels so each block narrows by its channel. */
export type ChannelBlock = { [C in Channel]: { channel: C; spec: ReceiverBlock<C> } }[Channel];

const named = (list: readonly unknown[] | undefined): boolean => (list?.length ?? 0) > 0;

/**
 * Whether this block of a Receiver needs a Config. WeChat Work and Feishu need one for app
 * messages to users, parties, tags and departments (the app's credentials), DingTalk for its
 * conversation messages; their chatbots and the other channels post to a URL of their own.
 */
export function needsConfig(block: ChannelBlock): boolean {
  if (ALWAYS.has(block.channel)) return true;
  switch (block.channel) {
    case 'wechat':
      return named(block.spec.toUser) || named(block.spec.toParty) || named(block.spec.toTag);
    case 'feishu':
      return named(block.spec.user) || named(block.spec.department);
    case 'dingtalk':
      return block.spec.conversation !== undefined;
    default:
      return false;
  }
}

/** What waits when a block that needs a Config selects none; the fix is in the message. */
export function noConfig(channel: Channel, receiver: string): DeliveryError {
  return new DeliveryError(
    `no ${channel} Config selected for receiver ${receiver}: create a type=default ${channel} Config or fix ${channel}ConfigSelector`,
    { retryable: true, why: { kind: 'config' } },
  );
}

/** The selected Config's block, or the retryable no-Config error. */
export function configOf<C extends Channel>(ctx: Pick<SendContext<C>, 'target'>): ConfigBlock<C> {
  const { config, channel, receiver } = ctx.target;
  if (!config) throw noConfig(channel, receiver);
  return config;
}
