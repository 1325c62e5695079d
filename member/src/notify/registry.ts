/**
 * The channels this agent can send to: one Notifier per channel. Each channel's module (and its
 * SDK) is loaded when a configuration first uses the channel (or on its first send), so an agent
 * only pays the memory of the channels it uses, and the first notification does not wait for it.
 */
import type { Channel } from '@herald/shared';
import type { Notifier, SendContext, SendResult } from './notifier.js';
import type { EmailNotifierOptions } from './channels/email.js';

type Loader = () => Promise<Notifier>;

interface LazyNotifier extends Notifier {
  /** Loads the channel's module now, ahead of its first send. */
  prepare(): Promise<void>;
}

/** A Notifier that loads the real one on first use. */
function lazy(channel: Channel, load: Loader): LazyNotifier {
  let real: Promise<Notifier> | undefined;
  const loaded = (): Promise<Notifier> => (real ??= load());
  return {
    channel,
    async send(ctx: SendContext): Promise<SendResult> {
      return (await loaded()).send(ctx);
    },
    prepare: async () => {
      await loaded();
    },
  };
}

/** Loads the modules of the channels a configuration uses; a failure shows at the first send. */
export function preload(notifiers: Partial<Record<Channel, Notifier>>, channels: Iterable<Channel>): void {
  for (const channel of new Set(channels)) {
    const n = notifiers[channel] as Partial<LazyNotifier> | undefined;
    void n?.prepare?.().catch(() => undefined);
  }
}

/** Channels whose sends do not go through postHttp (SMTP; Slack's own client). */
const OWN_CLIENT: ReadonlySet<Channel> = new Set<Channel>(['email', 'slack']);

/** Whether warming the shared HTTP send path pays off for these channels. */
export function sendsOverHttp(channels: Iterable<Channel>): boolean {
  for (const c of channels) if (!OWN_CLIENT.has(c)) return true;
  return false;
}

export function createNotifiers(opts: { email?: EmailNotifierOptions } = {}): Partial<Record<Channel, Notifier>> {
  return {
    email: lazy('email', async () => new (await import('./channels/email.js')).EmailNotifier(opts.email)),
    dingtalk: lazy('dingtalk', async () => new (await import('./channels/dingtalk.js')).DingTalkNotifier()),
    feishu: lazy('feishu', async () => new (await import('./channels/feishu.js')).FeishuNotifier()),
    slack: lazy('slack', async () => new (await import('./channels/slack.js')).SlackNotifier()),
    sms: lazy('sms', async () => new (await import('./channels/sms.js')).SmsNotifier()),
    webhook: lazy('webhook', async () => new (await import('./channels/webhook.js')).WebhookNotifier()),
    wechat: lazy('wechat', async () => new (await import('./channels/wechat.js')).WechatNotifier()),
    discord: lazy('discord', async () => new (await import('./channels/discord.js')).DiscordNotifier()),
    telegram: lazy('telegram', async () => new (await import('./channels/telegram.js')).TelegramNotifier()),
    pushover: lazy('pushover', async () => new (await import('./channels/pushover.js')).PushoverNotifier()),
    pagerduty: lazy('pagerduty', async () => new (await import('./channels/pagerduty.js')).PagerDutyNotifier()),
    opsgenie: lazy('opsgenie', async () => new (await import('./channels/opsgenie.js')).OpsgenieNotifier()),
    teams: lazy('teams', async () => new (await import('./channels/teams.js')).TeamsNotifier()),
  };
}
