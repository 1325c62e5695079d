import { describe, expect, it } from 'vitest';
import { decide, nextRecord, released } from './decide.js';

const held = (holder: string, seenAt = 0) => ({ record: { holderIdentity: holder, leaseDurationSeconds: 15, leaseTransitions: 2 }, seenAt });

describe('decide', () => {
  it('creates a missing Lease and renews its own', () => {
    expect(decide({ me: 'a', current: undefined, now: 0, defaultDurationSec: 15 })).toBe('create');
    expect(decide({ me: 'a', current: held('a'), now: 60_000, defaultDurationSec: 15 })).toBe('renew');
  });
  it('waits while another holder renews within the duration, measured from when it was seen', () => {
    expect(decide({ me: 'b', current: held('a', 10_000), now: 24_999, defaultDurationSec: 15 })).toBe('wait');
    expect(decide({ me: 'b', current: held('a', 10_000), now: 25_000, defaultDurationSec: 15 })).toBe('acquire');
  });
  it('takes a released Lease at once', () => {
    expect(decide({ me: 'b', current: held('', 10_000), now: 10_001, defaultDurationSec: 15 })).toBe('acquire');
  });
});

describe('nextRecord', () => {
  it('counts a transition when the holder changes, and keeps acquireTime on renewal', () => {
    const taken = nextRecord({ me: 'b', decision: 'acquire', previous: held('a').record, at: 'T1', durationSec: 15 });
    expect(taken).toEqual({ holderIdentity: 'b', leaseDurationSeconds: 15, acquireTime: 'T1', renewTime: 'T1', leaseTransitions: 3 });
    expect(nextRecord({ me: 'b', decision: 'renew', previous: taken, at: 'T2', durationSec: 15 })).toEqual({ ...taken, renewTime: 'T2' });
    expect(nextRecord({ me: 'a', decision: 'create', previous: undefined, at: 'T0', durationSec: 15 }).leaseTransitions).toBe(0);
  });
  it('releases by clearing the holder', () => {
    expect(released({ holderIdentity: 'a', leaseDurationSeconds: 15 }, 'T3')).toEqual({ holderIdentity: '', leaseDurationSeconds: 1, renewTime: 'T3' });
  });
});
