/**
 * The Alertmanager webhook (v4) body, and its normalization into Notifications. The agent stamps
 * its own cluster name over any `cluster` label in the payload (a member must not be mislabelled,
 * Notification Manager ks#3644); other member labels only fill labels the alert lacks.
 */
import { Type, type Static } from '@sinclair/typebox';
import { fingerprintOf, type Labels, type Notification, type Status } from '../model/notification.js';

const LabelMap = Type.Record(Type.String({ maxLength: 1024 }), Type.String({ maxLength: 65536 }));
const StatusSchema = Type.Union([Type.Literal('firing'), Type.Literal('resolved')]);

export const MAX_ALERTS_PER_REQUEST = 10_000;

export const AlertSchema = Type.Object({
  status: Type.Optional(StatusSchema),
  labels: LabelMap,
  annotations: Type.Optional(LabelMap),
  startsAt: Type.Optional(Type.String({ maxLength: 64 })),
  endsAt: Type.Optional(Type.String({ maxLength: 64 })),
  generatorURL: Type.Optional(Type.String({ maxLength: 8192 })),
  fingerprint: Type.Optional(Type.String({ maxLength: 128 })),
});

export const AlertmanagerPayload = Type.Object({
  version: Type.Optional(Type.String({ maxLength: 16 })),
  groupKey: Type.Optional(Type.String({ maxLength: 65536 })),
  truncatedAlerts: Type.Optional(Type.Integer({ minimum: 0 })),
  status: Type.Optional(StatusSchema),
  receiver: Type.Optional(Type.String({ maxLength: 1024 })),
  groupLabels: Type.Optional(LabelMap),
  commonLabels: Type.Optional(LabelMap),
  commonAnnotations: Type.Optional(LabelMap),
  externalURL: Type.Optional(Type.String({ maxLength: 8192 })),
  alerts: Type.Array(AlertSchema, { minItems: 1, maxItems: MAX_ALERTS_PER_REQUEST }),
});
export type AlertmanagerPayload = Static<typeof AlertmanagerPayload>;

/** Alertmanager's "no end" time. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

export interface Stamp {
  cluster: string;
  clusterLabels: Labels;
}

/** stampLabels adds the member's labels: `cluster` always wins, the others only fill gaps. */
export function stampLabels(labels: Labels, stamp: Stamp): Labels {
  return { ...stamp.clusterLabels, ...labels, cluster: stamp.cluster };
}

export function normalizeAlertmanager(payload: AlertmanagerPayload, stamp: Stamp, receivedAt: number): Notification[] {
  return payload.alerts.map((a) => {
    const labels = stampLabels(a.labels, stamp);
    const status: Status = a.status ?? payload.status ?? 'firing';
    return {
      fingerprint: fingerprintOf(labels),
      status,
      labels,
      annotations: a.annotations ?? {},
      startsAt: a.startsAt ?? new Date(receivedAt).toISOString(),
      endsAt: a.endsAt ?? ZERO_TIME,
      generatorURL: a.generatorURL ?? '',
      source: 'alertmanager',
    };
  });
}
