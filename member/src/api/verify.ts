/**
 * POST /api/v2/verify and POST /api/v2/notifications (admin): send now, bypassing the queue, and
 * report what each channel answered. Success only when every channel accepted the message
 * (Notification Manager reported success despite errors, ks#4268).
 *
 * - A named receiver gets the fixed test message, through its own Config and Secrets: verify only.
 * - A receiver (and config) given inline may carry only inline values: it never reads a Secret and
 *   never selects one of the cluster's Configs, so it can neither send the org's credentials to
 *   an address the caller chose nor use the org's SMTP server or tokens as a relay. It never
 *   connects to loopback, link-local (cloud metadata) or other addresses inlinePolicy denies, on
 *   the address it resolved.
 * Every answer is cut short, so a reply does not echo what some server said beyond its status and
 * the start of its reason.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { networkInterfaces } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { API_VERSION, ConfigSpec, ReceiverSpec, type Config, type Receiver } from '@herald/shared';
import { buildSnapshot, type Snapshot } from '../config/snapshot.js';
import { AlertmanagerPayload } from '../ingest/alertmanager-schema.js';
import { normalizeAlertmanager } from '../ingest/alertmanager.js';
import { fingerprintOf, type Notification } from '../model/notification.js';
import { inlinePolicy } from '../notify/egress.js';
import { DeliveryError } from '../notify/notifier.js';
import { sendOnce } from '../pipeline/deliverer.js';
import { resolveTarget } from '../pipeline/target.js';
import { targetKey } from '../model/target-key.js';
import { apiError } from './errors.js';
import type { AppDeps } from './app.js';

const Inline = Type.Object({ metadata: Type.Optional(Type.Object({ name: Type.Optional(Type.String({ maxLength: 253 })) })), spec: Type.Unknown() });
const VerifyBody = Type.Object({
  receiver: Type.Union([Type.String({ minLength: 1, maxLength: 253 }), Inline]),
  config: Type.Optional(Inline),
});
const NotificationsBody = Type.Intersect([VerifyBody, Type.Object({ alert: AlertmanagerPayload })]);
type VerifyBody = Static<typeof VerifyBody>;

/** Longest answer or reason a verify reply reports (history keeps the whole, redacted). */
const REASON_CHARS = 160;

interface ChannelOutcome {
  channel: string;
  ok: boolean;
  answer?: string;
  error?: string;
}

function verifyNotification(cluster: string, now: number): Notification {
  const labels = { alertname: 'verify', severity: 'info', cluster };
  const at = new Date(now).toISOString();
  return {
    fingerprint: fingerprintOf(labels),
    status: 'firing',
    labels,
    annotations: { message: 'Congratulations! Herald can send notifications to this receiver.' },
    startsAt: at,
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: '',
    source: 'verify',
  };
}

const SECRET_KEYS = new Set(['valueFrom', 'urlFrom', 'secretKeyRef']);

/**
 * What an inline spec may not hold (pure), by path: a Secret reference (`valueFrom`, `urlFrom`, a
 * bare `secretKeyRef`), or a proxy (the outbound policy checks the connection the agent makes,
 * which through a proxy is the proxy's: the proxy could reach what the target may not).
 */
export function inlineRefusals(node: unknown, path: string): { path: string; secret: boolean }[] {
  if (Array.isArray(node)) return node.flatMap((v, i) => inlineRefusals(v, `${path}[${i}]`));
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) => {
    if (SECRET_KEYS.has(key)) return [{ path: `${path}.${key}`, secret: true }];
    if (key === 'proxyUrl') return [{ path: `${path}.${key}`, secret: false }];
    return inlineRefusals(value, `${path}.${key}`);
  });
}

/** The addresses of this pod (or host): an inline target may not connect back into it. */
const ownAddresses = (): string[] => Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));

const schemaErrors = (schema: typeof ReceiverSpec | typeof ConfigSpec, value: unknown, path: string): string[] =>
  [...Value.Errors(schema, value)].map((e) => `${path}${e.path.replaceAll('/', '.')}: ${e.message}`);

interface Built {
  snap: Snapshot;
  name: string;
  inline: boolean;
}

/** The snapshot to send through: the current one for a named receiver, or one holding only the inline objects. */
function verifySnapshot(body: Pick<VerifyBody, 'receiver' | 'config'>, base: Snapshot): Built | { error: string } {
  if (typeof body.receiver === 'string') return { snap: base, name: body.receiver, inline: false };
  const errors = schemaErrors(ReceiverSpec, body.receiver.spec, 'receiver.spec');
  if (body.config) errors.push(...schemaErrors(ConfigSpec, body.config.spec, 'config.spec'));
  if (errors.length > 0) return { error: errors.slice(0, 5).join('; ') };
  const refused = [...inlineRefusals(body.receiver.spec, 'receiver.spec'), ...(body.config ? inlineRefusals(body.config.spec, 'config.spec') : [])];
  const secrets = refused.filter((r) => r.secret).map((r) => r.path);
  if (secrets.length > 0) {
    return { error: `${secrets.slice(0, 5).join(', ')}: an inline receiver or config takes only inline values ({value: …}); it never reads a Secret (verify a receiver by name to use its Secrets)` };
  }
  const proxies = refused.filter((r) => !r.secret).map((r) => r.path);
  if (proxies.length > 0) return { error: `${proxies.slice(0, 5).join(', ')}: an inline receiver connects directly, never through a proxy (verify a receiver by name to use its proxy)` };
  const name = body.receiver.metadata?.name ?? 'verify';
  // The inline receiver is global, so it selects the inline config, marked default: the only one there is.
  const receiver: Receiver = { apiVersion: API_VERSION, kind: 'Receiver', metadata: { name, labels: { type: 'global' } }, spec: body.receiver.spec as Receiver['spec'] };
  const configs: Config[] = body.config
    ? [{ apiVersion: API_VERSION, kind: 'Config', metadata: { name: 'verify', labels: { type: 'default' } }, spec: body.config.spec as Config['spec'] }]
    : [];
  const snap = buildSnapshot({ receivers: [receiver], configs, templates: base.templates });
  // The cluster's own selectors may be customised; the inline pair is labelled the default way.
  const settings = { ...base.settings, globalReceiverSelector: { matchLabels: { type: 'global' } }, defaultConfigSelector: { matchLabels: { type: 'default' } } };
  return { snap: { ...snap, settings }, name, inline: true };
}

/**
 * A channel's answer as verify reports it (pure): URLs keep only their scheme and host, and what
 * is left stops at REASON_CHARS — the status and the start of the reason, not a page of whatever
 * server a target pointed at.
 */
export function shortReason(text: string): string {
  const cut = text.replace(/\b(https?:\/\/[^\s/"'<>]+)(?:[^\s"']*[^\s"':])?/g, '$1');
  return cut.length > REASON_CHARS ? `${cut.slice(0, REASON_CHARS - 1)}…` : cut;
}

async function sendToAll(deps: AppDeps, built: Built, notifications: Notification[]): Promise<ChannelOutcome[] | undefined> {
  const { snap, name } = built;
  const receiver = snap.receivers.find((r) => r.name === name);
  if (!receiver) return undefined;
  const egress = built.inline ? (deps.inlineEgress ?? ((s) => inlinePolicy(s, ownAddresses())))(snap.settings.egress) : snap.settings.egress;
  const outcomes: ChannelOutcome[] = [];
  for (const { channel } of receiver.channels) {
    const resolved = resolveTarget(targetKey(name, channel), snap);
    const notifier = deps.notifiers[channel];
    if (!resolved.ok) {
      outcomes.push({ channel, ok: false, error: resolved.error });
    } else if (!notifier) {
      outcomes.push({ channel, ok: false, error: `channel ${channel} is not supported by this agent` });
    } else {
      try {
        const result = await sendOnce({ target: resolved.target, notifications, snap, notifier, renderer: deps.renderer(snap), egress });
        outcomes.push({ channel, ok: true, answer: shortReason(result.answer) });
      } catch (err) {
        outcomes.push({ channel, ok: false, error: shortReason(err instanceof DeliveryError ? err.message : `unexpected error: ${(err as Error).message}`) });
      }
    }
  }
  return outcomes;
}

export function verifyRoutes(app: FastifyInstance, deps: AppDeps): void {
  const handle = async (body: Pick<VerifyBody, 'receiver' | 'config'>, notifications: (snap: Snapshot) => Notification[]): Promise<[number, unknown]> => {
    const built = verifySnapshot(body, deps.snapshot());
    if ('error' in built) return [400, apiError(400, 'invalid', built.error)];
    const outcomes = await sendToAll(deps, built, notifications(built.snap));
    if (!outcomes) return [404, apiError(404, 'not_found', `no receiver named ${built.name}`)];
    const ok = outcomes.length > 0 && outcomes.every((o) => o.ok);
    return [ok ? 200 : 502, { status: ok ? 200 : 502, ok, receiver: built.name, results: outcomes }];
  };
  app.post<{ Body: VerifyBody }>('/api/v2/verify', { schema: { body: VerifyBody } }, async (request, reply) => {
    const [status, body] = await handle(request.body, (snap) => [verifyNotification(snap.settings.cluster.name, deps.now())]);
    return reply.status(status).send(body);
  });
  // Alerts of the caller's choosing go only to a receiver given inline: a named receiver (a real
  // team's channel) gets nothing but the test message, so nobody can speak in its name here.
  app.post<{ Body: Static<typeof NotificationsBody> }>('/api/v2/notifications', { schema: { body: NotificationsBody } }, async (request, reply) => {
    if (typeof request.body.receiver === 'string') {
      const message = `receiver ${request.body.receiver} is named: a named receiver gets only the test message (POST /api/v2/verify); alerts reach it through /api/v2/alerts`;
      return reply.status(400).send(apiError(400, 'invalid', message));
    }
    const [status, body] = await handle(request.body, (snap) =>
      normalizeAlertmanager(request.body.alert, { cluster: snap.settings.cluster.name, clusterLabels: snap.settings.cluster.labels }, deps.now()),
    );
    return reply.status(status).send(body);
  });
}
