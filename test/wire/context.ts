/**
 * Hand-built SendContexts for channel wire tests: a deterministic renderer, sample alerts, and a
 * secret() that resolves inline `{value}` credentials only.
 */
import type { Channel, Credential } from '@herald/shared';
import { fingerprintOf, templateDataFor, type Notification, type TemplateData } from '../../member/src/model/notification.js';
import { OPEN_EGRESS, type EgressPolicy } from '../../member/src/notify/egress.js';
import { DeliveryError, type Renderer, type SendContext, type Target } from '../../member/src/notify/notifier.js';
import type { ChannelOptions } from '../../member/src/config/settings.js';

/** Renders `<kind>:<template name or default>:<number of alerts>`, so tests see what was asked for. */
const fakeRenderer: Renderer = {
  render: (kind, name, data) => `${kind}:${name ?? 'default'}:${data.alerts.length}`,
};

function alert(name: string, pod: string): Notification {
  const labels = { alertname: name, namespace: 'prod', pod, severity: 'critical' };
  return {
    fingerprint: fingerprintOf(labels),
    status: 'firing',
    labels,
    annotations: { summary: `${name} on ${pod}` },
    startsAt: '2024-05-01T10:00:00Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: `http://prometheus.local/graph?g0.expr=up&pod=${pod}`,
    source: 'alertmanager',
  };
}

/** Two firing alerts of one group in cluster `east`. */
export function sampleData(): TemplateData {
  return templateDataFor({
    receiver: 'ops',
    cluster: 'east',
    alerts: [alert('KubePodCrashLooping', 'api-1'), alert('KubePodCrashLooping', 'api-2')],
    groupLabels: { namespace: 'prod', alertname: 'KubePodCrashLooping' },
    group: { status: 'firing', externalURL: 'http://alertmanager.local', truncatedAlerts: 0, sourceGroups: [] },
  });
}

/** Resolves `{value}` credentials; anything else fails the way the real resolver does. */
function inlineSecret(credential: Credential | undefined, field: string): string {
  if (credential?.value !== undefined) return credential.value;
  throw new DeliveryError(`${field}: credential cannot be resolved`, { retryable: true, why: { kind: 'config' } });
}

export interface ContextOptions<C extends Channel> {
  channel: C;
  spec: Target<C>['spec'];
  config?: Target<C>['config'];
  /** Settings options for the channel; the send timeout defaults to 10 s, as the agent's does. */
  options?: Partial<ChannelOptions<C>>;
  signal?: AbortSignal;
  /** The outbound address policy; default: nothing denied. */
  egress?: EgressPolicy;
}

export function sendContext<C extends Channel>(opts: ContextOptions<C>): SendContext<C> {
  return {
    target: {
      key: `ops/${opts.channel}`,
      receiver: 'ops',
      channel: opts.channel,
      spec: opts.spec,
      ...(opts.config ? { config: opts.config, configName: 'default' } : {}),
    },
    data: sampleData(),
    templates: fakeRenderer,
    secret: inlineSecret,
    signal: opts.signal ?? AbortSignal.timeout(20_000),
    egress: opts.egress ?? OPEN_EGRESS,
    // Partial<ChannelOptions<C>> plus timeoutMs is ChannelOptions<C>; TypeScript cannot tell for a generic C.
    options: { timeoutMs: 10_000, ...opts.options } as ChannelOptions<C>,
  };
}

/** The DeliveryError a send rejected with (fails the test if it resolved or threw something else). */
export async function deliveryErrorOf(promise: Promise<unknown>): Promise<DeliveryError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof DeliveryError) return err;
    throw new Error(`expected a DeliveryError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected the send to fail, but it succeeded');
}
