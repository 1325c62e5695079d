/**
 * Webhook: POSTs the group as JSON to a URL or an in-cluster Service. Without a template (or with
 * Notification Manager's sentinel names) the body is an Alertmanager webhook v4 payload plus
 * `cluster`, so existing Alertmanager receivers accept it; otherwise the rendered text is the body.
 */
import type { Labels, TemplateData } from '../../model/notification.js';
import { checkHttpReply, postHttp, recordSecrets, redactUrl, type SecretRecorder } from '../http.js';
import { DeliveryError, type Notifier, type ReceiverBlock, type SendContext, type SendResult } from '../notifier.js';
import { tlsOptionsOf } from '../tls.js';

type WebhookSpec = ReceiverBlock<'webhook'>;

/** Template names that Notification Manager treats as "send the data as JSON". */
const JSON_SENTINELS = new Set(['webhook.default.message', 'nm.default.history']);

/** webhookUrlOf is spec.url, or the Service's cluster DNS URL. */
export function webhookUrlOf(spec: Pick<WebhookSpec, 'url' | 'service'>): string {
  if (spec.url) return spec.url;
  const svc = spec.service;
  if (!svc) throw new DeliveryError('webhook receiver has neither url nor service', { retryable: false });
  const path = svc.path ?? '/';
  return `${svc.scheme ?? 'http'}://${svc.name}.${svc.namespace}.svc:${svc.port ?? 80}${path.startsWith('/') ? path : `/${path}`}`;
}

function sortedLabels(labels: Labels): Labels {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The Alertmanager webhook v4 payload of a group, plus `cluster`. groupKey is stable for equal input. */
export function alertmanagerPayload(data: TemplateData): Record<string, unknown> {
  return {
    version: '4',
    groupKey: `${data.receiver}:${JSON.stringify(sortedLabels(data.groupLabels))}`,
    truncatedAlerts: 0,
    status: data.status,
    receiver: data.receiver,
    groupLabels: data.groupLabels,
    commonLabels: data.commonLabels,
    commonAnnotations: data.commonAnnotations,
    externalURL: data.externalURL,
    alerts: data.alerts.map((a) => ({
      status: a.status,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: a.startsAt,
      endsAt: a.endsAt,
      generatorURL: a.generatorURL,
      fingerprint: a.fingerprint,
    })),
    cluster: data.cluster,
  };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function bodyOf(ctx: SendContext<'webhook'>): { body: string; contentType: string } {
  const template = ctx.target.spec.template ?? (ctx.options['template'] as string | undefined);
  if (template === undefined || JSON_SENTINELS.has(template)) {
    return { body: JSON.stringify(alertmanagerPayload(ctx.data)), contentType: 'application/json' };
  }
  const body = ctx.templates.render('text', template, ctx.data);
  return { body, contentType: isJson(body) ? 'application/json' : 'text/plain; charset=utf-8' };
}

function authHeader(spec: WebhookSpec, secrets: SecretRecorder): string | undefined {
  const http = spec.httpConfig;
  if (http?.bearerToken) {
    return `Bearer ${secrets.secret(http.bearerToken, 'spec.webhook.httpConfig.bearerToken')}`;
  }
  if (http?.basicAuth) {
    const { username, password } = http.basicAuth;
    const pass = password ? secrets.secret(password, 'spec.webhook.httpConfig.basicAuth.password') : '';
    // The encoded form is as secret as the password: a server that quotes the header must not leak it.
    return `Basic ${secrets.derived(Buffer.from(`${username}:${pass}`).toString('base64'))}`;
  }
  return undefined;
}

export class WebhookNotifier implements Notifier<'webhook'> {
  readonly channel = 'webhook' as const;

  async send(ctx: SendContext<'webhook'>): Promise<SendResult> {
    const spec = ctx.target.spec;
    const secrets = recordSecrets(ctx);
    const url = webhookUrlOf(spec);
    const { body, contentType } = bodyOf(ctx);
    const headers: Record<string, string> = { 'content-type': contentType };
    const auth = authHeader(spec, secrets);
    if (auth) headers['authorization'] = auth;
    const reply = await postHttp({
      url,
      body,
      headers,
      signal: ctx.signal,
      tls: tlsOptionsOf(spec.httpConfig?.tlsConfig, secrets, 'spec.webhook.httpConfig.tlsConfig'),
      proxyUrl: spec.httpConfig?.proxyUrl,
      secrets: secrets.secrets,
    });
    const answer = checkHttpReply(reply, { what: `webhook POST ${redactUrl(url)}`, secrets: secrets.secrets });
    return { answer, messages: 1 };
  }
}
