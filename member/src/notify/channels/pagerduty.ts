/**
 * PagerDuty Events API v2: `POST /v2/enqueue`. A firing group triggers an alert, a resolved group
 * resolves it; both carry the same dedup_key (the group's stable key), so the resolve closes the
 * incident the trigger opened. Limits from PagerDuty's docs: summary 1024 characters, dedup_key
 * 255, the whole event 512 KB; answers 202 (accepted), 400 (invalid: do not retry), 429 and 5xx
 * (retry later; the rate limit is about 120 events a minute per routing key).
 */
import type { TemplateData } from '../../model/notification.js';
import { utf8Length } from '../../template/split.js';
import { groupKeyOf } from '../group-key.js';
import { checkHttpReply, postHttp, recordSecrets, type HttpReply } from '../http.js';
import { DeliveryError, type Notifier, type ReceiverBlock, type SendContext, type SendResult } from '../notifier.js';
import { jsonObjectOf, textOf } from '../reply.js';
import { groupSeverity } from '../severity.js';

type PagerDutySpec = ReceiverBlock<'pagerduty'>;

const DEFAULT_API = 'https://events.pagerduty.com';
export const SUMMARY_LIMIT = 1024;
export const EVENT_LIMIT_BYTES = 512 * 1024;
/** PagerDuty suggests waiting before retrying a 429; it sends no Retry-After. */
const RATE_LIMIT_WAIT_MS = 30_000;

function truncate(text: string, limit: number): string {
  const chars = [...text];
  return chars.length <= limit ? text : `${chars.slice(0, limit - 1).join('')}…`;
}

function alertsOf(data: TemplateData): Record<string, unknown>[] {
  return data.alerts.map((a) => ({ status: a.status, labels: a.labels, annotations: a.annotations, startsAt: a.startsAt, generatorURL: a.generatorURL }));
}

/** custom_details, trimmed to keep the event under 512 KB: first the alert list goes, then text is cut. */
function detailsWithin(details: Record<string, unknown>, room: number): Record<string, unknown> {
  if (utf8Length(JSON.stringify(details)) <= room) return details;
  const { alerts: _alerts, ...rest } = details;
  const slim: Record<string, unknown> = { ...rest, alerts: `${(details['alerts'] as unknown[]).length} alerts left out: the event would pass 512 KB` };
  const over = utf8Length(JSON.stringify(slim)) - room;
  if (over <= 0) return slim;
  const text = textOf(slim['firing']);
  // Cut by characters: a character is at most 4 bytes, and escaping can double them.
  return { ...slim, firing: `${[...text].slice(0, Math.max(0, [...text].length - over - 64)).join('')}… (truncated)` };
}

/** The event for one group. Pure. */
export function pagerdutyEvent(args: { routingKey: string; spec: PagerDutySpec; data: TemplateData; summary: string; text: string }): Record<string, unknown> {
  const { routingKey, spec, data } = args;
  const dedupKey = groupKeyOf(data);
  if (data.status === 'resolved') return { routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey };
  const firing = data.alerts.filter((a) => a.status === 'firing');
  const startsAt = firing.map((a) => a.startsAt).sort()[0];
  const payload = {
    summary: truncate(args.summary, SUMMARY_LIMIT),
    source: spec.source ?? data.cluster,
    severity: spec.severity ?? groupSeverity(data) ?? 'error',
    ...(startsAt ? { timestamp: startsAt } : {}),
    ...(spec.component ? { component: spec.component } : {}),
    ...(spec.group ? { group: spec.group } : {}),
    ...(spec.class ? { class: spec.class } : {}),
  };
  const event = { routing_key: routingKey, event_action: 'trigger', dedup_key: dedupKey, client: 'Herald', payload };
  const details = { cluster: data.cluster, receiver: data.receiver, group: data.groupLabels, num_firing: firing.length, num_resolved: data.alerts.length - firing.length, firing: args.text, alerts: alertsOf(data) };
  const room = EVENT_LIMIT_BYTES - utf8Length(JSON.stringify(event)) - 64;
  return { ...event, payload: { ...payload, custom_details: detailsWithin(details, room) } };
}

function answerOf(reply: HttpReply, secrets: readonly string[]): string {
  const what = 'pagerduty enqueue';
  try {
    checkHttpReply(reply, { what, secrets });
  } catch (err) {
    if (err instanceof DeliveryError && reply.status === 429 && err.retryAfterMs === undefined) {
      throw new DeliveryError(err.message, { retryable: true, retryAfterMs: RATE_LIMIT_WAIT_MS, cause: err, why: { kind: 'same', reason: err.reason } });
    }
    throw err;
  }
  const body = jsonObjectOf(reply);
  return `HTTP ${reply.status} ${textOf(body?.['status'])}: ${textOf(body?.['message'])} (dedup_key ${textOf(body?.['dedup_key'], '?')})`;
}

export class PagerDutyNotifier implements Notifier<'pagerduty'> {
  readonly channel = 'pagerduty' as const;

  async send(ctx: SendContext<'pagerduty'>): Promise<SendResult> {
    const { spec, config } = ctx.target;
    const secrets = recordSecrets(ctx);
    const routingKey = secrets.secret(spec.routingKey, 'spec.pagerduty.routingKey');
    const titleTemplate = spec.titleTemplate ?? ctx.options.titleTemplate;
    const template = spec.template ?? ctx.options.template;
    const event = pagerdutyEvent({
      routingKey,
      spec,
      data: ctx.data,
      summary: ctx.templates.render('title', titleTemplate, ctx.data),
      text: ctx.data.status === 'resolved' ? '' : ctx.templates.render('text', template, ctx.data),
    });
    const reply = await postHttp({
      url: `${(config?.apiUrl ?? DEFAULT_API).replace(/\/+$/, '')}/v2/enqueue`,
      body: JSON.stringify(event),
      headers: { 'content-type': 'application/json' },
      signal: ctx.signal,
      egress: ctx.egress,
      secrets: secrets.secrets,
    });
    return { answer: `${String(event['event_action'])}: ${answerOf(reply, secrets.secrets)}`, messages: 1 };
  }
}
