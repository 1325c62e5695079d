/**
 * What the app-API channels (WeChat Work, DingTalk, Feishu) share: a clock, the access tokens they
 * cache between sends and their bots' send windows; and rendering the message with the receiver's
 * template, else the channel option's, refusing an empty one.
 */
import type { Channel } from '@herald/shared';
import { DeliveryError, type Renderer, type SendContext } from './notifier.js';
import { SendWindow, clockOf, type Clock, type ClockOptions } from './send-window.js';
import { TokenCache } from './token-cache.js';

export abstract class AppNotifier {
  protected readonly clock: Clock;
  protected readonly tokenCache: TokenCache;
  protected readonly window: SendWindow;

  constructor(opts: ClockOptions = {}) {
    this.clock = clockOf(opts);
    this.tokenCache = new TokenCache(this.clock.now);
    this.window = new SendWindow(this.clock.now);
  }
}

export function renderMessage<C extends Channel>(ctx: SendContext<C>, kind: Parameters<Renderer['render']>[0]): string {
  const template = (ctx.target.spec as { template?: string }).template ?? ctx.options.template;
  const text = ctx.templates.render(kind, template, ctx.data);
  if (text.trim() === '') throw new DeliveryError(`${ctx.target.channel}: the template rendered an empty message`, { retryable: false, why: { kind: 'template' } });
  return text;
}
