/**
 * The agent's Prometheus metrics, on a registry of its own (never the global one). Node's process
 * and runtime metrics keep their standard names (process_*, nodejs_*), which dashboards and
 * alerts expect; Herald's own start with herald_. Delivery counters carry the receiver, so one
 * failing receiver stands out from the healthy ones on its channel, and failures carry their
 * reason (notify/failure-reason.ts).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  received: Counter<'source'>;
  accepted: Counter<'source'>;
  rejected: Counter<'reason'>;
  delivered: Counter<'receiver' | 'channel'>;
  failed: Counter<'receiver' | 'channel' | 'reason'>;
  retried: Counter<'receiver' | 'channel' | 'reason'>;
  suppressed: Counter;
  silenced: Counter;
  inhibited: Counter<'rule'>;
  inhibitSources: Gauge;
  unrouted: Counter;
  queueDepth: Gauge<'stage'>;
  deadLettered: Counter<'source'>;
  deadLetters: Gauge;
  latency: Histogram<'channel'>;
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    received: new Counter({ name: 'herald_notifications_received_total', help: 'Notifications received, accepted or not.', labelNames: ['source'], registers }),
    accepted: new Counter({ name: 'herald_notifications_accepted_total', help: 'Notifications durably stored before the 2xx answer.', labelNames: ['source'], registers }),
    rejected: new Counter({ name: 'herald_requests_rejected_total', help: 'Requests answered 4xx, by reason.', labelNames: ['reason'], registers }),
    delivered: new Counter({ name: 'herald_notifications_delivered_total', help: 'Notifications the channel accepted.', labelNames: ['receiver', 'channel'], registers }),
    failed: new Counter({ name: 'herald_notifications_failed_total', help: 'Notifications given up on (terminal error or retries exhausted), by reason.', labelNames: ['receiver', 'channel', 'reason'], registers }),
    retried: new Counter({ name: 'herald_delivery_retries_total', help: 'Send attempts that will be retried, by reason.', labelNames: ['receiver', 'channel', 'reason'], registers }),
    suppressed: new Counter({ name: 'herald_notifications_deduplicated_total', help: 'Notifications not sent again: already delivered within the dedup window.', registers }),
    silenced: new Counter({ name: 'herald_notifications_silenced_total', help: 'Notifications muted by a global silence.', registers }),
    inhibited: new Counter({ name: 'herald_notifications_inhibited_total', help: 'Notifications an InhibitRule kept from one or more receivers, by rule.', labelNames: ['rule'], registers }),
    inhibitSources: new Gauge({ name: 'herald_inhibit_sources', help: 'Firing source alerts InhibitRules mute by now.', registers }),
    unrouted: new Counter({ name: 'herald_notifications_unrouted_total', help: 'Notifications no receiver takes.', registers }),
    queueDepth: new Gauge({ name: 'herald_queue_depth', help: 'Work waiting, by stage: inbox (notifications), pending (notification copies per receiver), batches.', labelNames: ['stage'], registers }),
    deadLettered: new Counter({ name: 'herald_dead_lettered_total', help: 'Accepted requests moved to the dead letters after routing failed repeatedly.', labelNames: ['source'], registers }),
    deadLetters: new Gauge({ name: 'herald_dead_letters', help: 'Requests in the dead letters now (GET /api/v2/dead-letters lists them).', registers }),
    latency: new Histogram({
      name: 'herald_delivery_latency_seconds',
      help: 'From acceptance to the channel accepting the message.',
      labelNames: ['channel'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
  };
}
