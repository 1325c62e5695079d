import { describe, expect, it } from 'vitest';
import { agentHealth, agentScheme } from './agent-health.js';

const now = new Date('2026-11-21T12:00:00Z');
const lease = (renewTime: string, ready = 'true') => ({
  metadata: { annotations: { 'herald.dev/agent-ready': ready, 'herald.dev/delivery': '{"delivered":4,"failed":1,"pending":0}' } },
  spec: { holderIdentity: 'agent-0', renewTime, leaseDurationSeconds: 40 },
});

describe('agentHealth', () => {
  it('is True while the Lease is fresh, with the heartbeat and delivery totals', () => {
    expect(agentHealth(lease('2026-11-21T11:59:30.000000Z'), now)).toEqual({
      status: 'True',
      reason: 'Heartbeat',
      message: 'agent-0 renews its Lease',
      heartbeat: '2026-11-21T11:59:30.000Z',
      delivery: { delivered: 4, failed: 1, pending: 0 },
    });
  });
  it('is Unknown once the Lease has lapsed', () => {
    const expired = agentHealth(lease('2026-11-21T11:59:10.000000Z'), now);
    expect(expired).toMatchObject({ status: 'Unknown', reason: 'HeartbeatExpired' });
    expect(expired.message).toContain('50 s ago');
  });
  it('is False when the agent says it is not ready', () => {
    expect(agentHealth(lease('2026-11-21T11:59:59.000000Z', 'false'), now)).toMatchObject({ status: 'False', reason: 'AgentNotReady' });
  });
  it('is Unknown without a Lease, and survives a garbled delivery annotation', () => {
    expect(agentHealth(undefined, now)).toMatchObject({ status: 'Unknown', reason: 'NoHeartbeat' });
    const garbled = { metadata: { annotations: { 'herald.dev/delivery': '{nope' } }, spec: { renewTime: '2026-11-21T11:59:59.000000Z' } };
    expect(agentHealth(garbled, now)).toMatchObject({ status: 'True' });
    expect(agentHealth(garbled, now).delivery).toBeUndefined();
  });
});

describe('agentScheme', () => {
  it('is what the Lease says, and http when it says nothing', () => {
    expect(agentScheme({ metadata: { annotations: { 'herald.dev/api-scheme': 'https' } } })).toBe('https');
    expect(agentScheme({ metadata: { annotations: { 'herald.dev/api-scheme': 'gopher' } } })).toBe('http');
    expect(agentScheme({})).toBe('http');
    expect(agentScheme(undefined)).toBe('http');
  });
});
