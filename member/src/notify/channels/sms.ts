/**
 * SMS: renders the text and sends it through the receiver's provider (or the Config's
 * defaultProvider): Aliyun, Tencent Cloud, Huawei Cloud or AWS SNS, one module each under sms/,
 * loaded on first use. Batching, splitting and the combined error live in sms/deliver.ts.
 * Limitation: the pipeline retries the whole target, so a retry re-sends to numbers (and parts)
 * that already got the message; the error names them.
 */
import { recordSecrets } from '../http.js';
import { DeliveryError, type ConfigBlock, type Notifier, type SendContext, type SendResult } from '../notifier.js';
import { deliver } from './sms/deliver.js';
import type { ProviderDeps, SmsProvider, SmsProviderName } from './sms/provider.js';
import { configOf } from '../config-need.js';

type Providers = ConfigBlock<'sms'>['providers'];

/** Loads the provider's module and builds it from its Config block. */
async function providerFor(name: SmsProviderName, providers: Providers, deps: ProviderDeps): Promise<SmsProvider | undefined> {
  switch (name) {
    case 'aliyun':
      return providers.aliyun && (await import('./sms/aliyun.js')).createAliyun(providers.aliyun, deps);
    case 'tencent':
      return providers.tencent && (await import('./sms/tencent.js')).createTencent(providers.tencent, deps);
    case 'huawei':
      return providers.huawei && (await import('./sms/huawei.js')).createHuawei(providers.huawei, deps);
    case 'aws':
      return providers.aws && (await import('./sms/aws.js')).createAws(providers.aws, deps);
  }
}

export interface SmsNotifierOptions {
  /** The clock that timestamps signatures (tests make stale ones). */
  now?: () => number;
}

export class SmsNotifier implements Notifier<'sms'> {
  readonly channel = 'sms' as const;
  private readonly now: () => number;

  constructor(opts: SmsNotifierOptions = {}) {
    this.now = opts.now ?? Date.now;
  }

  async send(ctx: SendContext<'sms'>): Promise<SendResult> {
    const { spec, configName } = ctx.target;
    const config = configOf(ctx);
    if (spec.phoneNumbers.length === 0) throw new DeliveryError('sms: spec.sms.phoneNumbers is empty', { retryable: false, why: { kind: 'config' } });
    const name = spec.provider ?? config.defaultProvider;
    const recorder = recordSecrets(ctx);
    const provider = await providerFor(name, config.providers, { ...recorder, secrets: recorder.secrets, now: this.now, egress: ctx.egress });
    if (!provider) {
      const from = spec.provider ? 'the receiver names' : 'defaultProvider names';
      throw new DeliveryError(`sms: ${from} provider ${name}, but Config ${configName ?? '?'} has no spec.sms.providers.${name}`, {
        why: { kind: 'config' },
        retryable: false,
      });
    }
    const template = spec.template ?? ctx.options.template;
    const text = ctx.templates.render('text', template, ctx.data);
    if (text.trim() === '') throw new DeliveryError('sms: the template rendered an empty message', { retryable: false, why: { kind: 'template' } });
    return deliver(provider, spec.phoneNumbers, text, { signal: ctx.signal, ...(ctx.progress ? { progress: ctx.progress } : {}) });
  }
}
