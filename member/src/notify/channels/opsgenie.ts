/**
 * Opsgenie Alert API: a firing group creates an alert (`POST /v2/alerts`), a resolved group closes
 * it (`POST /v2/alerts/<alias>/close?identifierType=alias`). The alias is the group's stable key,
 * so repeated batches of one group de-duplicate into one alert and the close finds it. Opsgenie
 * processes both asynchronously: 202 means accepted, and the answer carries the requestId to look
 * up. Limits from Opsgenie's docs: message 130 characters, description 15000, details 8000 in all,
 * alias 512; 422 (not processable), 401/403 (key) are terminal; 429 and 5xx are retried.
 */
import type { TemplateData } from '../../model/notification.js';
import { groupKeyOf } from '../group-key.js';
import { checkHttpReply, postHttp, recordSecrets, type HttpReply } from '../http.js';
import { DeliveryError, type Notifier, type ReceiverBlock, type SendContext, type SendResult } from '../notifier.js';
import { headerOf, jsonObjectOf, textOf } from '../reply.js';
import { groupSeverity, type Severity } from '../severity.js';
import { configOf } from '../config-need.js';

type OpsgenieSpec = ReceiverBlock<'opsgenie'>;

const DEFAULT_API = 'https://api.opsgenie.com';
export const MESSAGE_LIMIT = 130;
export const DESCRIPTION_LIMIT = 15_000;
const DETAILS_LIMIT = 8000;
const PRIORITY: Readonly<Record<Severity, string>> = { critical: 'P1', error: 'P2', warning: 'P3', info: 'P5' };

function truncate(text: string, limit: number, marker = '…'): string {
  const chars = [...text];
  return chars.length <= limit ? text : `${chars.slice(0, limit - [...marker].length).join('')}${marker}`;
}

/** Group labels, cluster and receiver as details, stopping before 8000 characters in all. */
function detailsOf(data: TemplateData): Record<string, string> {
  const out: Record<string, string> = {};
  let size = 0;
  for (const [k, v] of [['cluster', data.cluster], ['receiver', data.receiver], ...Object.entries(data.groupLabels)] as const) {
    size += [...k].length + [...v].length;
    if (size > DETAILS_LIMIT) break;
    out[k] = v;
  }
  return out;
}

/** The create-alert body of a firing group. Pure. */
export function opsgenieAlert(args: { spec: OpsgenieSpec; data: TemplateData; message: string; description: string }): Record<string, unknown> {
  const { spec, data } = args;
  // Opsgenie refuses a blank message (422): a title template that renders nothing must not lose the alert.
  const message = args.message.trim() === '' ? `[${data.status.toUpperCase()}] ${data.alerts.length} alerts in ${data.cluster}` : args.message;
  return {
    message: truncate(message, MESSAGE_LIMIT),
    alias: groupKeyOf(data),
    description: truncate(args.description, DESCRIPTION_LIMIT, '\n… (truncated)'),
    ...(spec.responders ? { responders: spec.responders } : {}),
    ...(spec.tags ? { tags: spec.tags } : {}),
    details: detailsOf(data),
    ...(spec.entity ? { entity: spec.entity } : {}),
    source: spec.source ?? truncate(`herald/${data.cluster}`, 100),
    priority: spec.priority ?? PRIORITY[groupSeverity(data) ?? 'warning'],
  };
}

function answerOf(reply: HttpReply, what: string, secrets: readonly string[]): string {
  try {
    checkHttpReply(reply, { what, secrets });
  } catch (err) {
    // Opsgenie's throttle reply names its window instead of sending Retry-After.
    const period = Number(headerOf(reply, 'x-ratelimit-period-in-sec'));
    if (err instanceof DeliveryError && reply.status === 429 && err.retryAfterMs === undefined && period > 0) {
      throw new DeliveryError(err.message, { retryable: true, retryAfterMs: period * 1000, cause: err, why: { kind: 'same', reason: err.reason } });
    }
    throw err;
  }
  const body = jsonObjectOf(reply);
  return `HTTP ${reply.status} ${textOf(body?.['result'])} (requestId ${textOf(body?.['requestId'], '?')})`;
}

export class OpsgenieNotifier implements Notifier<'opsgenie'> {
  readonly channel = 'opsgenie' as const;

  async send(ctx: SendContext<'opsgenie'>): Promise<SendResult> {
    const { spec } = ctx.target;
    const config = configOf(ctx);
    const secrets = recordSecrets(ctx);
    const key = secrets.secret(config.apiKey, 'spec.opsgenie.apiKey');
    const base = `${(config.apiUrl ?? DEFAULT_API).replace(/\/+$/, '')}/v2/alerts`;
    const alias = groupKeyOf(ctx.data);
    const source = spec.source ?? `herald/${ctx.data.cluster}`;
    const resolved = ctx.data.status === 'resolved';
    const titleTemplate = spec.titleTemplate ?? ctx.options.titleTemplate;
    const template = spec.template ?? ctx.options.template;
    const body = resolved
      ? { source: truncate(source, 100), note: 'Every alert of the group is resolved.' }
      : opsgenieAlert({ spec, data: ctx.data, message: ctx.templates.render('title', titleTemplate, ctx.data), description: ctx.templates.render('text', template, ctx.data) });
    const what = resolved ? 'opsgenie close alert' : 'opsgenie create alert';
    const reply = await postHttp({
      url: resolved ? `${base}/${encodeURIComponent(alias)}/close?identifierType=alias` : base,
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', authorization: `GenieKey ${key}` },
      signal: ctx.signal,
      egress: ctx.egress,
      secrets: secrets.secrets,
    });
    return { answer: `${what} ${alias}: ${answerOf(reply, what, secrets.secrets)}`, messages: 1 };
  }
}
