/**
 * The one model every source is normalized to (Alertmanager alerts, Kubernetes Events, audit
 * events), and the data templates see (Alertmanager's template.Data plus the cluster).
 */
import { createHash } from 'node:crypto';

export type Labels = Record<string, string>;
export type Status = 'firing' | 'resolved';
type Source = 'alertmanager' | 'event' | 'audit' | 'verify';

export interface Notification {
  /** Hash of the labels, as Alertmanager's fingerprint: the identity of the alert. */
  fingerprint: string;
  status: Status;
  labels: Labels;
  annotations: Labels;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  source: Source;
}

/** fingerprintOf hashes sorted label pairs; the same labels always give the same 16 hex digits. */
export function fingerprintOf(labels: Labels): string {
  let text = '';
  for (const key of Object.keys(labels).sort()) text += `${key}\u0000${labels[key] ?? ''}\u0001`;
  // One update: hashing label by label cost more than the hash itself.
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** What a template renders: one group of notifications for one receiver. */
export interface TemplateData {
  receiver: string;
  status: Status;
  cluster: string;
  alerts: Notification[];
  /** The alerts apart by status, as Alertmanager's `.Alerts.Firing` and `.Alerts.Resolved`. */
  firing: Notification[];
  resolved: Notification[];
  groupLabels: Labels;
  commonLabels: Labels;
  commonAnnotations: Labels;
  externalURL: string;
  /** Alerts Alertmanager left out of the requests this group was made of (its max_alerts). */
  truncatedAlerts: number;
  /** The Alertmanager groups (groupKey) the alerts came from. */
  sourceGroups: string[];
}

/** What the notification log says about the group beyond its alerts (see pipeline/notification-log.ts). */
export interface GroupState {
  status: Status;
  externalURL: string;
  truncatedAlerts: number;
  sourceGroups: string[];
}

/** Labels (or annotations) shared by every item, with the same value. */
function commonOf(items: readonly Labels[]): Labels {
  const [first, ...rest] = items;
  if (!first) return {};
  const out: Labels = {};
  for (const [k, v] of Object.entries(first)) {
    if (rest.every((l) => Object.hasOwn(l, k) && l[k] === v)) out[k] = v;
  }
  return out;
}

/**
 * templateDataFor builds the template data of one group. Without the notification log's view
 * (`group`) a group is firing if any item is; with it, while the receiver should believe any
 * alert of the group fires, even one this batch does not carry.
 */
export function templateDataFor(args: {
  receiver: string;
  cluster: string;
  alerts: Notification[];
  groupLabels: Labels;
  group?: GroupState;
}): TemplateData {
  const { alerts, group } = args;
  const firing = alerts.filter((a) => a.status === 'firing');
  return {
    receiver: args.receiver,
    cluster: args.cluster,
    status: group?.status ?? (firing.length > 0 ? 'firing' : 'resolved'),
    alerts,
    firing,
    resolved: alerts.filter((a) => a.status === 'resolved'),
    groupLabels: args.groupLabels,
    commonLabels: commonOf(alerts.map((a) => a.labels)),
    commonAnnotations: commonOf(alerts.map((a) => a.annotations)),
    externalURL: group?.externalURL ?? '',
    truncatedAlerts: group?.truncatedAlerts ?? 0,
    sourceGroups: group?.sourceGroups ?? [],
  };
}
