/**
 * Kubernetes Events (events.k8s.io/v1) as notifications. Pure: an event, the rule that selected it
 * and the cluster stamp in, a Notification out. Events written by the old core/v1 API appear in
 * events.k8s.io/v1 with their fields under `deprecated*`, so both shapes are read.
 */
import { fingerprintOf, type Labels, type Notification } from '../model/notification.js';
import type { CompiledRule } from '../rules/compile.js';
import type { EventFacts } from '../rules/match.js';
import { stampLabels, ZERO_TIME, type Stamp } from './alertmanager.js';

/** The fields of an events.k8s.io/v1 Event that Herald reads (as JSON from the API server). */
export interface KubeEvent {
  metadata: { uid?: string; name?: string; namespace?: string; resourceVersion?: string; creationTimestamp?: string };
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string } | null;
  reportingController?: string;
  reportingInstance?: string;
  action?: string;
  reason?: string;
  regarding?: { kind?: string; name?: string; namespace?: string; uid?: string; apiVersion?: string; fieldPath?: string };
  note?: string;
  type?: string;
  deprecatedSource?: { component?: string; host?: string };
  deprecatedFirstTimestamp?: string | null;
  deprecatedLastTimestamp?: string | null;
  deprecatedCount?: number;
}

/** How many times the event has happened: series.count, else the old API's count, else once. */
export function occurrences(ev: KubeEvent): number {
  return Math.max(1, ev.series?.count ?? ev.deprecatedCount ?? 1);
}

/** When the event was last seen happening. */
export function lastObserved(ev: KubeEvent): string {
  return ev.series?.lastObservedTime ?? ev.deprecatedLastTimestamp ?? ev.eventTime ?? ev.metadata.creationTimestamp ?? ZERO_TIME;
}

function firstObserved(ev: KubeEvent): string {
  return ev.eventTime ?? ev.deprecatedFirstTimestamp ?? ev.metadata.creationTimestamp ?? ZERO_TIME;
}

export function eventFacts(ev: KubeEvent): EventFacts {
  const regarding = ev.regarding ?? {};
  return {
    type: ev.type ?? '',
    reason: ev.reason ?? '',
    kind: regarding.kind ?? '',
    name: regarding.name ?? '',
    namespace: regarding.namespace ?? ev.metadata.namespace ?? '',
    controller: controllerOf(ev),
    message: ev.note ?? '',
  };
}

/** reportingController, or the old API's source component. */
function controllerOf(ev: KubeEvent): string {
  return ev.reportingController || ev.deprecatedSource?.component || '';
}

/** Labels without empty values (an empty label is no label, as in Prometheus). */
export function present(labels: Labels): Labels {
  return Object.fromEntries(Object.entries(labels).filter(([, v]) => v !== ''));
}

/**
 * The notification for one event as selected by one rule. Its labels (hence its fingerprint) stay
 * the same while a series repeats; startsAt is the last observation, so each report of a series
 * is a distinct delivery and is not taken for a repeat of the previous one.
 */
export function eventNotification(ev: KubeEvent, rule: CompiledRule, stamp: Stamp): Notification {
  const f = eventFacts(ev);
  const own = present({
    alertname: rule.name,
    alerttype: 'event',
    namespace: f.namespace,
    reason: f.reason,
    kind: f.kind,
    name: f.name,
    severity: rule.severity ?? (f.type === 'Warning' ? 'warning' : 'info'),
  });
  const labels = stampLabels({ ...rule.labels, ...own }, stamp);
  const annotations = present({
    message: f.message,
    type: f.type,
    reportingController: f.controller,
    count: String(occurrences(ev)),
    firstTimestamp: firstObserved(ev),
    lastTimestamp: lastObserved(ev),
    uid: ev.metadata.uid ?? '',
    ...rule.annotations,
  });
  return {
    fingerprint: fingerprintOf(labels),
    status: 'firing',
    labels,
    annotations,
    startsAt: lastObserved(ev),
    endsAt: ZERO_TIME,
    generatorURL: '',
    source: 'event',
  };
}
