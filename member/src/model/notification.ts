/**
 * The one model every source is normalized to (Alertmanager alerts, Kubernetes Events, audit
 * events), and the data templates see (Alertmanager's template.Data plus the cluster).
 */
import { createHash } from 'node:crypto';

export type Labels = Record<string, string>;
export type Status = 'firing' | 'resolved';
export type Source = 'alertmanager' | 'event' | 'audit' | 'verify';

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
  groupLabels: Labels;
  commonLabels: Labels;
  commonAnnotations: Labels;
  externalURL: string;
}

/** Labels (or annotations) shared by every item, with the same value. */
export function commonOf(items: readonly Labels[]): Labels {
  const [first, ...rest] = items;
  if (!first) return {};
  const out: Labels = {};
  for (const [k, v] of Object.entries(first)) {
    if (rest.every((l) => Object.hasOwn(l, k) && l[k] === v)) out[k] = v;
  }
  return out;
}

/** templateDataFor builds the template data of one group; a group is firing if any item is. */
export function templateDataFor(args: {
  receiver: string;
  cluster: string;
  alerts: Notification[];
  groupLabels: Labels;
  externalURL?: string;
}): TemplateData {
  const { alerts } = args;
  return {
    receiver: args.receiver,
    cluster: args.cluster,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    alerts,
    groupLabels: args.groupLabels,
    commonLabels: commonOf(alerts.map((a) => a.labels)),
    commonAnnotations: commonOf(alerts.map((a) => a.annotations)),
    externalURL: args.externalURL ?? '',
  };
}
