/**
 * The Alertmanager webhook (v4) body, and its normalization into Notifications. The agent stamps
 * its own cluster name over any `cluster` label in the payload (a member must not be mislabelled,
 * Notification Manager ks#3644); other member labels only fill labels the alert lacks.
 */
import { fingerprintOf, type Labels, type Notification, type Status } from '../model/notification.js';
import type { AlertmanagerPayload } from './alertmanager-schema.js';

export type { AlertmanagerPayload } from './alertmanager-schema.js';


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
      // Alertmanager's own fingerprint names the alert in what it sends next; Herald's is for hand-made requests.
      fingerprint: a.fingerprint ?? fingerprintOf(labels),
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
