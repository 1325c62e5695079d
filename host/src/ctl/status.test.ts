import { describe, expect, it } from 'vitest';
import type { MemberCluster, PropagationPolicy } from '@herald/shared';
import { isFailing } from '@herald/shared';
import { statusReport, statusText, unknownClusters, type PropagatedObject } from './status.js';

const now = new Date('2026-12-03T12:00:00Z');
const cond = (type: string, status: 'True' | 'False' | 'Unknown', message = '') => ({ type, status, reason: type, message, lastTransitionTime: '2026-12-03T11:00:00Z' });
const member = (name: string, ready: boolean, extra: Partial<NonNullable<MemberCluster['status']>> = {}): MemberCluster => ({
  apiVersion: 'herald.dev/v1alpha1',
  kind: 'MemberCluster',
  metadata: { name },
  spec: {},
  status: {
    conditions: [cond('Ready', ready ? 'True' : 'False', ready ? 'answers' : 'connect ECONNREFUSED'), cond('AgentReady', ready ? 'True' : 'Unknown'), cond('Synced', ready ? 'True' : 'False', 'see status.clusters')],
    ...extra,
  },
});
const object = (kind: string, name: string, clusters: NonNullable<PropagatedObject['status']>['clusters'], generation = 1, observed = 1): PropagatedObject => ({
  kind,
  metadata: { name, generation },
  status: { observedGeneration: observed, clusters },
});

describe('heraldctl status', () => {
  const members = [
    member('b', false),
    member('a', true, { kubernetesVersion: 'v1.35.4', lastHeartbeatTime: '2026-12-03T11:59:55Z', delivery: { delivered: 12, failed: 3, pending: 2 } }),
  ];
  const objects = [
    object('Receiver', 'ok', [{ name: 'a', state: 'Applied', delivery: { delivered: 5, lastSuccessTime: '2026-12-03T11:59:00Z' } }, { name: 'b', state: 'ClusterNotReady', message: 'member b is not ready' }]),
    object('Receiver', 'down', [{ name: 'a', state: 'Applied', delivery: { delivered: 1, failed: 3, lastSuccessTime: '2026-12-03T10:00:00Z', lastFailureTime: '2026-12-03T11:59:00Z', lastError: 'connect ECONNREFUSED 127.0.0.1:9' } }]),
    object('Router', 'new', [], 2, 1),
    object('Config', 'fine', [{ name: 'a', state: 'Applied' }]),
  ];

  it('lists members, unapplied objects and failing receivers, sorted', () => {
    const r = statusReport(members, objects, now);
    expect(r.members.map((m) => [m.name, m.ready, m.agent, m.synced, m.heartbeatAgeSeconds])).toEqual([
      ['a', 'True', 'True', 'True', 5],
      ['b', 'False', 'Unknown', 'False', undefined],
    ]);
    expect(r.members[1]?.problems).toEqual(['Ready=False: connect ECONNREFUSED', 'AgentReady=Unknown: ', 'Synced=False: see status.clusters']);
    expect(r.problems).toEqual([
      { object: 'Receiver/ok', member: 'b', state: 'ClusterNotReady', message: 'member b is not ready' },
      { object: 'Router/new', member: '-', state: 'NotObserved', message: 'generation 2 not yet reconciled by the host' },
    ]);
    expect(r.failing.map((f) => [f.receiver, f.member])).toEqual([['down', 'a']]);
  });

  it('calls a receiver failing only while its last outcome is a failure', () => {
    expect(isFailing({ delivered: 3 })).toBe(false);
    expect(isFailing({ failed: 1 })).toBe(true);
    expect(isFailing({ failed: 1, lastFailureTime: '2026-12-03T10:00:00Z', lastSuccessTime: '2026-12-03T11:00:00Z' })).toBe(false);
    expect(isFailing({ failed: 1, lastFailureTime: '2026-12-03T11:00:00Z', lastSuccessTime: '2026-12-03T10:00:00Z' })).toBe(true);
  });

  it('prints three sections, saying so when one is empty', () => {
    const text = statusText(statusReport(members, objects, now)).split('\n');
    expect(text[0]).toMatch(/^MEMBER\s+READY\s+AGENT\s+SYNCED\s+VERSION\s+HEARTBEAT\s+DELIVERED\s+FAILED\s+PENDING$/);
    expect(text[1]).toMatch(/^a\s+True\s+True\s+True\s+v1\.35\.4\s+5s ago\s+12\s+3\s+2$/);
    expect(text[2]).toMatch(/^b\s+False\s+Unknown\s+False\s+-\s+never\s+0\s+0\s+0$/);
    expect(text).toContain('  b Ready=False: connect ECONNREFUSED');
    expect(text.some((l) => /^Receiver\/ok\s+b\s+ClusterNotReady\s+member b is not ready$/.test(l))).toBe(true);
    expect(text.some((l) => /^down\s+a\s+1\s+3\s+0\s+connect ECONNREFUSED 127\.0\.0\.1:9$/.test(l))).toBe(true);
    const calm = statusText(statusReport([members[1] as MemberCluster], [objects[3] as PropagatedObject], now));
    expect(calm).toContain('propagation: all 1 objects applied on every member they are placed on');
    expect(calm).toContain('delivery: no receiver is failing');
    expect(statusText(statusReport([], [], now))).toContain('no members: register one with heraldctl join');
  });

  it('names clusters a policy places on, excludes or overrides that are not registered', () => {
    const policy: PropagationPolicy = {
      apiVersion: 'herald.dev/v1alpha1',
      kind: 'PropagationPolicy',
      metadata: { name: 'prod' },
      spec: { resourceSelectors: [{ kind: 'Receiver' }], placement: { clusterNames: ['a', 'typo-a'], exclude: ['old'] }, overrides: [{ clusterNames: ['typo-a'], patches: [] }] },
    };
    expect(unknownClusters([policy], members).map((p) => [p.object, p.member, p.state])).toEqual([
      ['PropagationPolicy/prod', 'old', 'UnknownCluster'],
      ['PropagationPolicy/prod', 'typo-a', 'UnknownCluster'],
    ]);
    expect(statusReport(members, [], now, [policy]).problems.map((p) => p.member)).toEqual(['old', 'typo-a']);
  });
});
