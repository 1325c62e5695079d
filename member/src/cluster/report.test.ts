import { describe, expect, it } from 'vitest';
import { microTime } from '@herald/shared/k8s';
import { healthByReceiver, leaseFor, sumHealth } from './report.js';

describe('microTime', () => {
  it('has the six fractional digits a Lease MicroTime needs', () => {
    expect(microTime(new Date('2026-11-21T12:00:01.250Z'))).toBe('2026-11-21T12:00:01.250000Z');
  });
});

describe('delivery health', () => {
  const health = new Map([
    ['ops/webhook', { delivered: 5, failed: 1, pending: 2, lastSuccessAt: 2000, lastFailureAt: 1000, lastError: 'HTTP 500' }],
    ['ops/email', { delivered: 1, failed: 0, pending: 0, lastSuccessAt: 3000 }],
    ['team/slack', { delivered: 0, failed: 2, pending: 0, lastFailureAt: 4000, lastError: 'channel_not_found' }],
  ]);
  it('sums a receiver’s channels, keeping the latest success and the latest error with its channel', () => {
    const byReceiver = healthByReceiver(health);
    expect(byReceiver.get('ops')).toEqual({
      delivered: 6,
      failed: 1,
      pending: 2,
      lastSuccessTime: new Date(3000).toISOString(),
      lastFailureTime: new Date(1000).toISOString(),
      lastError: 'ops/webhook: HTTP 500',
    });
    expect(byReceiver.get('team')).toEqual({ delivered: 0, failed: 2, pending: 0, lastFailureTime: new Date(4000).toISOString(), lastError: 'team/slack: channel_not_found' });
  });
  it('sums the whole cluster for the Lease', () => {
    expect(sumHealth(health)).toMatchObject({ delivered: 6, failed: 3, pending: 2, lastError: 'team/slack: channel_not_found' });
    expect(sumHealth([])).toEqual({ delivered: 0, failed: 0, pending: 0 });
  });
});

describe('leaseFor', () => {
  it('renews the herald-agent Lease with readiness and totals for the host', () => {
    const lease = leaseFor({ holder: 'agent-0', durationSec: 40, now: new Date('2026-11-21T12:00:00Z'), ready: false, delivery: { delivered: 1, failed: 0, pending: 0 }, scheme: 'https' });
    expect(lease).toEqual({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: 'herald-agent',
        namespace: 'herald-system',
        annotations: { 'herald.dev/agent-ready': 'false', 'herald.dev/delivery': '{"delivered":1,"failed":0,"pending":0}', 'herald.dev/api-scheme': 'https' },
      },
      spec: { holderIdentity: 'agent-0', leaseDurationSeconds: 40, renewTime: '2026-11-21T12:00:00.000000Z' },
    });
  });
});
