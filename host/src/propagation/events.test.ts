import { describe, expect, it } from 'vitest';
import { AGGREGATE_WINDOW_MS, BURST, eventStep, outcomeReason, REFILL_MS, type Bucket, type Seen } from './events.js';

describe('event recorder decisions', () => {
  it('counts a repeat on the same Event within ten minutes, and starts a new one after', () => {
    const seen: Seen = { name: 'sink.abc', count: 3, firstTimestamp: '2026-12-03T12:00:00.000Z', lastAt: 1_000 };
    expect(eventStep(seen, undefined, 1_000 + AGGREGATE_WINDOW_MS - 1).step).toEqual({ do: 'count', name: 'sink.abc', count: 4, firstTimestamp: '2026-12-03T12:00:00.000Z' });
    expect(eventStep(seen, undefined, 1_000 + AGGREGATE_WINDOW_MS).step).toEqual({ do: 'create' });
    expect(eventStep(undefined, undefined, 0).step).toEqual({ do: 'create' });
  });

  it('allows a burst of 25 per object, then one per five minutes', () => {
    let bucket: Bucket | undefined;
    const steps: string[] = [];
    for (let i = 0; i < BURST + 3; i++) {
      const r = eventStep(undefined, bucket, 0);
      bucket = r.bucket;
      steps.push(r.step.do);
    }
    expect(steps.filter((s) => s === 'create')).toHaveLength(BURST);
    expect(steps.slice(BURST)).toEqual(['drop', 'drop', 'drop']);
    expect(eventStep(undefined, bucket, REFILL_MS - 1).step.do).toBe('drop');
    expect(eventStep(undefined, bucket, REFILL_MS).step.do).toBe('create');
  });

  it('reports a member outcome only when it changes to a failure or a missing Secret', () => {
    expect(outcomeReason(undefined, { state: 'ApplyFailed', message: 'x' })).toBe('ApplyFailed');
    expect(outcomeReason({ state: 'ApplyFailed', message: 'x' }, { state: 'ApplyFailed', message: 'x' })).toBeUndefined();
    expect(outcomeReason({ state: 'ApplyFailed', message: 'x' }, { state: 'ApplyFailed', message: 'y' })).toBe('ApplyFailed');
    expect(outcomeReason({ state: 'Applied' }, { state: 'ApplyOverridesFailed', message: 'bad path' })).toBe('ApplyOverridesFailed');
    expect(outcomeReason({ state: 'Applied' }, { state: 'Applied', message: 'Secret a/b not found on the host' })).toBe('SecretMissing');
    expect(outcomeReason({ state: 'ApplyFailed', message: 'x' }, { state: 'Applied' })).toBeUndefined();
    expect(outcomeReason(undefined, { state: 'Pending' })).toBeUndefined();
  });
});
