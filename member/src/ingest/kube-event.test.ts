import { describe, expect, it } from 'vitest';
import { compileRule } from '../rules/compile.js';
import { DEFAULT_EVENT_RULE } from '../rules/match.js';
import { eventFacts, eventNotification, lastObserved, occurrences, type KubeEvent } from './kube-event.js';

const stamp = { cluster: 'member-a', clusterLabels: { region: 'eu' } };
const backoff: KubeEvent = {
  metadata: { uid: 'u-1', name: 'web-1.17f', namespace: 'shop', creationTimestamp: '2026-11-21T12:00:00Z' },
  eventTime: '2026-11-21T12:00:00.000001Z',
  reportingController: 'kubelet',
  reportingInstance: 'node-1',
  action: 'Restarting',
  reason: 'BackOff',
  regarding: { kind: 'Pod', name: 'web-1', namespace: 'shop', uid: 'p-1' },
  note: 'Back-off restarting failed container app',
  type: 'Warning',
};
const repeated: KubeEvent = { ...backoff, series: { count: 7, lastObservedTime: '2026-11-21T12:05:00.000001Z' } };
/** A core/v1 event as events.k8s.io/v1 shows it. */
const legacy: KubeEvent = {
  metadata: { uid: 'u-2', namespace: 'shop' },
  reason: 'FailedMount',
  regarding: { kind: 'Pod', name: 'db-0', namespace: 'shop' },
  note: 'MountVolume.SetUp failed',
  type: 'Warning',
  deprecatedSource: { component: 'kubelet' },
  deprecatedFirstTimestamp: '2026-11-21T11:00:00Z',
  deprecatedLastTimestamp: '2026-11-21T11:30:00Z',
  deprecatedCount: 4,
};

describe('Kubernetes Event → notification', () => {
  it('labels it as the issue asks, stamps the cluster, keeps the note and the count as annotations', () => {
    const n = eventNotification(backoff, DEFAULT_EVENT_RULE, stamp);
    expect(n.labels).toEqual({ alertname: 'warning-events', alerttype: 'event', namespace: 'shop', reason: 'BackOff', kind: 'Pod', name: 'web-1', severity: 'warning', cluster: 'member-a', region: 'eu' });
    expect(n.annotations).toMatchObject({ message: 'Back-off restarting failed container app', count: '1', reportingController: 'kubelet', uid: 'u-1', type: 'Warning' });
    expect(n).toMatchObject({ status: 'firing', source: 'event', startsAt: '2026-11-21T12:00:00.000001Z' });
  });

  it('adds the rule’s labels, annotations and severity; the event’s own labels and the cluster win', () => {
    const rule = compileRule({ apiVersion: 'herald.dev/v1alpha1', kind: 'Rule', metadata: { name: 'crashloop' }, spec: { source: 'Event', severity: 'critical', labels: { team: 'shop', alerttype: 'lie', cluster: 'lie' }, annotations: { runbook: 'https://runbooks/crashloop' } } });
    const n = eventNotification(backoff, rule, stamp);
    expect(n.labels).toMatchObject({ alertname: 'crashloop', team: 'shop', severity: 'critical', alerttype: 'event', cluster: 'member-a' });
    expect(n.annotations['runbook']).toBe('https://runbooks/crashloop');
  });

  it('a repeating series keeps its fingerprint (one group) but each report is a distinct delivery', () => {
    const first = eventNotification(backoff, DEFAULT_EVENT_RULE, stamp);
    const later = eventNotification(repeated, DEFAULT_EVENT_RULE, stamp);
    expect(later.fingerprint).toBe(first.fingerprint);
    expect(later.startsAt).not.toBe(first.startsAt);
    expect(later.annotations['count']).toBe('7');
  });

  it('reads events written through the old core/v1 API', () => {
    expect(occurrences(legacy)).toBe(4);
    expect(lastObserved(legacy)).toBe('2026-11-21T11:30:00Z');
    expect(eventFacts(legacy).controller).toBe('kubelet');
    expect(eventNotification(legacy, DEFAULT_EVENT_RULE, stamp).annotations).toMatchObject({ count: '4', firstTimestamp: '2026-11-21T11:00:00Z' });
  });

  it('counts: series.count, else deprecatedCount, else once', () => {
    expect([occurrences(backoff), occurrences(repeated), occurrences(legacy)]).toEqual([1, 7, 4]);
  });

  it('leaves out empty labels (a cluster-scoped object has no namespace)', () => {
    const node: KubeEvent = { metadata: { uid: 'u-3', namespace: 'default' }, reason: 'NodeNotReady', type: 'Warning', regarding: { kind: 'Node', name: 'n1' } };
    expect(eventNotification(node, DEFAULT_EVENT_RULE, stamp).labels).toMatchObject({ namespace: 'default', kind: 'Node', name: 'n1' });
    const bare: KubeEvent = { metadata: {}, type: 'Warning' };
    expect(Object.values(eventNotification(bare, DEFAULT_EVENT_RULE, stamp).labels)).not.toContain('');
  });
});
