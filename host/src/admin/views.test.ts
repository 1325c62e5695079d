import { describe, expect, it } from 'vitest';
import { clusterView, matrixRow } from './views.js';

describe('clusterView', () => {
  it('shows each condition at a glance and names the first problem', () => {
    const view = clusterView({
      apiVersion: 'herald.dev/v1alpha1',
      kind: 'MemberCluster',
      metadata: { name: 'member-b', labels: { env: 'prod' } },
      spec: {},
      status: {
        kubernetesVersion: 'v1.35.4',
        conditions: [
          { type: 'Ready', status: 'True', reason: 'Reachable', message: 'ok', lastTransitionTime: 't' },
          { type: 'AgentReady', status: 'Unknown', reason: 'HeartbeatExpired', message: 'last heartbeat 90 s ago', lastTransitionTime: 't' },
        ],
      },
    });
    expect(view).toEqual({ name: 'member-b', labels: { env: 'prod' }, ready: 'True', agentReady: 'Unknown', synced: 'Unknown', problem: 'AgentReady: last heartbeat 90 s ago', kubernetesVersion: 'v1.35.4' });
  });
});

describe('matrixRow', () => {
  it('maps members to states and lists what is not plainly Applied', () => {
    const row = matrixRow({
      kind: 'Receiver',
      metadata: { name: 'ops' },
      status: { summary: '1/2', clusters: [{ name: 'a', state: 'Applied' }, { name: 'b', state: 'ClusterNotReady', message: 'connect ECONNREFUSED' }] },
    });
    expect(row).toEqual({ kind: 'Receiver', name: 'ops', summary: '1/2', clusters: { a: 'Applied', b: 'ClusterNotReady' }, problems: ['b: ClusterNotReady (connect ECONNREFUSED)'] });
  });
});
