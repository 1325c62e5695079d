/**
 * Webhook: POSTs the group as JSON to a URL, a URL read from a Secret (`urlFrom`, for URLs that
 * carry a token) or an in-cluster Service. Without a template (or with Notification Manager's
 * sentinel names) the body is an Alertmanager webhook v4 payload plus `cluster`, so existing
 * Alertmanager receivers accept it; otherwise the rendered text is the body.
 */
import type { Labels, TemplateData } from '../../model/notification.js';
import { checkHttpReply, postHttp, recordSecrets, redactUrl, type SecretRecorder } from '../http.js';
import { DeliveryError, type Notifier, type ReceiverBlock, type SendContext, type SendResult } from '../notifier.js';
import { tlsOptionsOf } from '../tls.js';

type WebhookSpec = ReceiverBlock<'webhook'>;

/** Template names that Notification Manager treats as "send the data as JSON". */
const JSON_SENTINELS = new Set(['webhook.default.message', 'nm.default.history']);

/** Where a send posts, and how messages name it. */
interface Destination {
  url: string;
  label: string;
}

const URL_FROM = 'spec.webhook.urlFrom';
/** Path segments and query values this long are taken for tokens when the URL is a secret. */
const TOKEN_LIKE = 8;

/**
 * The parts of a secret URL to keep out of every message: the URL itself, its path and query, and
 * every long path segment, query value and userinfo part (a server may quote any of them back).
 * The host stays readable: it names the server in connection errors.
 */
export function secretPartsOfUrl(url: URL): string[] {
  const whole = [url.href, `${url.origin}${url.pathname}`, `${url.pathname}${url.search}`, url.pathname, url.search.slice(1)];
  const pieces = [...url.pathname.split('/'), url.username, url.password].flatMap((raw) => [raw, decodedOrRaw(raw)]);
  pieces.push(...url.searchParams.values());
  return [...new Set([...whole.filter((p) => p.length > 1), ...pieces.filter((p) => p.length >= TOKEN_LIKE)])];
}

function decodedOrRaw(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The URL in the Secret urlFrom names, checked to be http(s); every part of it is recorded as a secret. */
function urlFromSecret(ref: NonNullable<WebhookSpec['urlFrom']>, secrets: SecretRecorder): Destination {
  let value: string;
  try {
    value = secrets.secret({ valueFrom: ref }, URL_FROM).trim();
  } catch (err) {
    // Resolution names the field as a Credential's (`….valueFrom.secretKeyRef`); urlFrom has no valueFrom level.
    if (!(err instanceof DeliveryError)) throw err;
    throw new DeliveryError(err.message.replace(`${URL_FROM}.valueFrom`, URL_FROM), { retryable: err.retryable, cause: err, why: { kind: 'same', reason: err.reason } });
  }
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  // A fixed Secret lets the retry through, as with a missing one. The value itself is never shown.
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new DeliveryError(`${URL_FROM}: the Secret's value is not an http(s) URL`, { retryable: true, why: { kind: 'config' } });
  }
  for (const part of secretPartsOfUrl(url)) secrets.derived(part);
  return { url: value, label: `<the URL in ${URL_FROM}>` };
}

function destinationOf(spec: WebhookSpec, secrets: SecretRecorder): Destination {
  if (spec.urlFrom) return urlFromSecret(spec.urlFrom, secrets);
  const url = webhookUrlOf(spec);
  return { url, label: redactUrl(url) };
}

/** webhookUrlOf is spec.url, or the Service's cluster DNS URL. */
export function webhookUrlOf(spec: Pick<WebhookSpec, 'url' | 'service'>): string {
  if (spec.url) return spec.url;
  const svc = spec.service;
  if (!svc) throw new DeliveryError('webhook receiver has none of url, urlFrom or service', { retryable: false, why: { kind: 'config' } });
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
    // Alertmanager's key when the group is one Alertmanager group; Herald's own when it merges several.
    groupKey: data.sourceGroups.length === 1 ? data.sourceGroups[0] : `${data.receiver}:${JSON.stringify(sortedLabels(data.groupLabels))}`,
    truncatedAlerts: data.truncatedAlerts,
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
  const template = ctx.target.spec.template ?? ctx.options.template;
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
    const { url, label } = destinationOf(spec, secrets);
    const { body, contentType } = bodyOf(ctx);
    const headers: Record<string, string> = { 'content-type': contentType };
    const auth = authHeader(spec, secrets);
    if (auth) headers['authorization'] = auth;
    const reply = await postHttp({
      url,
      label,
      body,
      headers,
      signal: ctx.signal,
      egress: ctx.egress,
      tls: tlsOptionsOf(spec.httpConfig?.tlsConfig, secrets, 'spec.webhook.httpConfig.tlsConfig'),
      proxyUrl: spec.httpConfig?.proxyUrl,
      secrets: secrets.secrets,
    });
    const answer = checkHttpReply(reply, { what: `webhook POST ${label}`, secrets: secrets.secrets });
    return { answer, messages: 1 };
  }
}
