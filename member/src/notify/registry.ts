/** The channels this agent can send to: one Notifier per channel. */
import type { Channel } from '@herald/shared';
import type { Notifier } from './notifier.js';
import { EmailNotifier, type EmailNotifierOptions } from './channels/email.js';
import { SlackNotifier } from './channels/slack.js';
import { WebhookNotifier } from './channels/webhook.js';

export function createNotifiers(opts: { email?: EmailNotifierOptions } = {}): Partial<Record<Channel, Notifier>> {
  return {
    email: new EmailNotifier(opts.email),
    slack: new SlackNotifier(),
    webhook: new WebhookNotifier(),
  };
}
