import { describe, expect, it } from 'vitest';
import { deliveringCondition, memberConditions, propagatedStatus } from './status.js';

const now = '2026-11-21T12:00:00Z';

describe('memberConditions', () => {
  it('has Ready, AgentReady and Synced; AgentReady is what the heartbeat says', () => {
    const conditions = memberConditions(undefined, { ready: true, synced: true, agent: { status: 'False', reason: 'AgentNotReady', message: 'not ready' } }, 2, now);
    expect(conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Ready', 'True', 'Reachable'],
      ['AgentReady', 'False', 'AgentNotReady'],
      ['Synced', 'True', 'Applied'],
    ]);
  });
  it('makes AgentReady Unknown when the member cannot be read', () => {
    const conditions = memberConditions(undefined, { ready: false, message: 'connect ECONNREFUSED' }, 2, now);
    expect(conditions.find((c) => c.type === 'AgentReady')).toMatchObject({ status: 'Unknown', reason: 'ClusterNotReady' });
    expect(conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', message: 'connect ECONNREFUSED' });
  });
});

describe('propagatedStatus', () => {
  it('sums the members’ delivery health, naming where the latest failure was', () => {
    const status = propagatedStatus({
      generation: 1,
      now,
      entries: [
        { name: 'member-b', state: 'Applied', delivery: { delivered: 2, failed: 1, pending: 0, lastFailureTime: '2026-11-21T11:00:00.000Z', lastError: 'ops/slack: ratelimited' } },
        { name: 'member-a', state: 'Applied', delivery: { delivered: 3, failed: 0, pending: 1, lastSuccessTime: '2026-11-21T11:30:00.000Z' } },
      ],
    });
    expect(status.summary).toBe('2/2');
    expect(status.delivery).toEqual({
      delivered: 5,
      failed: 1,
      pending: 1,
      lastSuccessTime: '2026-11-21T11:30:00.000Z',
      lastFailureTime: '2026-11-21T11:00:00.000Z',
      lastError: 'member-b: ops/slack: ratelimited',
    });
  });
  it('has no delivery when no agent reported one', () => {
    expect(propagatedStatus({ generation: 1, now, entries: [{ name: 'member-a', state: 'Applied' }] }).delivery).toBeUndefined();
  });
});

describe('deliveringCondition', () => {
  const ok = { delivered: 3, failed: 0, pending: 0, lastSuccessTime: '2026-11-21T11:00:00Z' };
  const bad = { delivered: 3, failed: 1, pending: 2, lastSuccessTime: '2026-11-21T11:00:00Z', lastFailureTime: '2026-11-21T11:30:00Z', lastError: 'webhook: connect ECONNREFUSED' };
  it('is False naming each member whose sends fail, True while they succeed, Unknown with no reports', () => {
    expect(deliveringCondition([{ name: 'a', state: 'Applied', delivery: ok }, { name: 'b', state: 'Applied', delivery: bad }], undefined, now)).toMatchObject({
      type: 'Delivering',
      status: 'False',
      reason: 'SendsFailing',
      message: 'b: webhook: connect ECONNREFUSED',
    });
    expect(deliveringCondition([{ name: 'a', state: 'Applied', delivery: ok }, { name: 'b', state: 'Applied' }], undefined, now)).toMatchObject({ status: 'True', message: 'sends succeed on 1 member' });
    expect(deliveringCondition([{ name: 'a', state: 'Applied' }], undefined, now)).toMatchObject({ status: 'Unknown', reason: 'NoReports' });
  });
  it('is on Receivers only', () => {
    const entries = [{ name: 'a', state: 'Applied' as const, delivery: ok }];
    expect(propagatedStatus({ entries, generation: 1, now, kind: 'Receiver' }).conditions?.map((c) => c.type)).toEqual(['Propagated', 'Delivering']);
    expect(propagatedStatus({ entries, generation: 1, now, kind: 'Router' }).conditions?.map((c) => c.type)).toEqual(['Propagated']);
  });
});
