/**
 * POST /api/v2/verify and POST /api/v2/notifications: send now, bypassing the queue, to a named
 * receiver or to a receiver (and config) given inline, and report what each channel answered.
 * Success only when every channel accepted the message (Notification Manager reported success
 * despite errors, ks#4268).
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { FastifyInstance } from 'fastify';
import { API_VERSION, ConfigSpec, ReceiverSpec, type Config, type Receiver } from '@herald/shared';
import { buildSnapshot, type Snapshot } from '../config/snapshot.js';
import { AlertmanagerPayload } from '../ingest/alertmanager-schema.js';
import { normalizeAlertmanager } from '../ingest/alertmanager.js';
import { fingerprintOf, type Notification } from '../model/notification.js';
import { DeliveryError } from '../notify/notifier.js';
import { sendOnce } from '../pipeline/deliverer.js';
import { resolveTarget } from '../pipeline/target.js';
import { targetKey } from '../model/target-key.js';
import { apiError } from './errors.js';
import type { AppDeps } from './app.js';

const Inline = Type.Object({ metadata: Type.Optional(Type.Object({ name: Type.Optional(Type.String()) })), spec: Type.Unknown() });
const VerifyBody = Type.Object({
  receiver: Type.Union([Type.String({ minLength: 1 }), Inline]),
  config: Type.Optional(Inline),
});
const NotificationsBody = Type.Intersect([VerifyBody, Type.Object({ alert: AlertmanagerPayload })]);
type VerifyBody = Static<typeof VerifyBody>;

export interface ChannelOutcome {
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

/** Builds the snapshot to verify against: the current one, or one with the inline objects added. */
function verifySnapshot(body: VerifyBody, base: Snapshot): { snap: Snapshot; name: string } | { error: string } {
  if (typeof body.receiver === 'string') return { snap: base, name: body.receiver };
  const errors = [...Value.Errors(ReceiverSpec, body.receiver.spec)].map((e) => `receiver.spec${e.path.replaceAll('/', '.')}: ${e.message}`);
  if (body.config) errors.push(...[...Value.Errors(ConfigSpec, body.config.spec)].map((e) => `config.spec${e.path.replaceAll('/', '.')}: ${e.message}`));
  if (errors.length > 0) return { error: errors.slice(0, 5).join('; ') };
  const name = body.receiver.metadata?.name ?? 'verify';
  // The inline receiver is global, so it selects the inline config marked default.
  const receiver: Receiver = { apiVersion: API_VERSION, kind: 'Receiver', metadata: { name, labels: { type: 'global' } }, spec: body.receiver.spec as Receiver['spec'] };
  const configs: Config[] = body.config
    ? [{ apiVersion: API_VERSION, kind: 'Config', metadata: { name: 'verify', labels: { type: 'default', priority: '-1' } }, spec: body.config.spec as Config['spec'] }]
    : [];
  const snap = buildSnapshot({ receivers: [receiver], configs: [...configs, ...base.configs], templates: base.templates, secrets: base.secrets });
  return { snap: { ...snap, settings: base.settings }, name };
}

async function sendToAll(deps: AppDeps, snap: Snapshot, name: string, notifications: Notification[]): Promise<ChannelOutcome[] | undefined> {
  const receiver = snap.receivers.find((r) => r.name === name);
  if (!receiver) return undefined;
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
        const result = await sendOnce({ target: resolved.target, notifications, snap, notifier, renderer: deps.renderer(snap), egress: snap.settings.egress });
        outcomes.push({ channel, ok: true, answer: result.answer });
      } catch (err) {
        outcomes.push({ channel, ok: false, error: err instanceof DeliveryError ? err.message : `unexpected error: ${(err as Error).message}` });
      }
    }
  }
  return outcomes;
}

export function verifyRoutes(app: FastifyInstance, deps: AppDeps): void {
  const handle = async (body: VerifyBody, notifications: (snap: Snapshot) => Notification[]): Promise<[number, unknown]> => {
    const built = verifySnapshot(body, deps.snapshot());
    if ('error' in built) return [400, apiError(400, 'invalid', built.error)];
    const outcomes = await sendToAll(deps, built.snap, built.name, notifications(built.snap));
    if (!outcomes) return [404, apiError(404, 'not_found', `no receiver named ${built.name}`)];
    const ok = outcomes.length > 0 && outcomes.every((o) => o.ok);
    return [ok ? 200 : 502, { status: ok ? 200 : 502, ok, receiver: built.name, results: outcomes }];
  };
  app.post<{ Body: VerifyBody }>('/api/v2/verify', { schema: { body: VerifyBody } }, async (request, reply) => {
    const [status, body] = await handle(request.body, (snap) => [verifyNotification(snap.settings.cluster.name, deps.now())]);
    return reply.status(status).send(body);
  });
  app.post<{ Body: Static<typeof NotificationsBody> }>('/api/v2/notifications', { schema: { body: NotificationsBody } }, async (request, reply) => {
    const [status, body] = await handle(request.body, (snap) =>
      normalizeAlertmanager(request.body.alert, { cluster: snap.settings.cluster.name, clusterLabels: snap.settings.cluster.labels }, deps.now()),
    );
    return reply.status(status).send(body);
  });
}
