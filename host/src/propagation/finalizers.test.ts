import { describe, expect, it } from 'vitest';
import { addFinalizer, cleanedUp, FINALIZER, orphaned, removeFinalizer } from './finalizers.js';

const obj = (metadata: Record<string, unknown>) => ({ metadata: { name: 'ops', ...metadata } });

describe('finalizer patches', () => {
  it('adds Herald’s finalizer once, guarded by the resourceVersion', () => {
    expect(addFinalizer(obj({ resourceVersion: '7' }))).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: '7' },
      { op: 'add', path: '/metadata/finalizers', value: [FINALIZER] },
    ]);
    expect(addFinalizer(obj({ finalizers: ['other'] }))).toEqual([{ op: 'add', path: '/metadata/finalizers/-', value: FINALIZER }]);
    expect(addFinalizer(obj({ finalizers: [FINALIZER] }))).toBeUndefined();
    expect(addFinalizer(obj({ deletionTimestamp: '2026-11-21T00:00:00Z' }))).toBeUndefined();
  });
  it('removes only its own, tested in place', () => {
    expect(removeFinalizer(obj({ finalizers: ['other', FINALIZER] }))).toEqual([
      { op: 'test', path: '/metadata/finalizers/1', value: FINALIZER },
      { op: 'remove', path: '/metadata/finalizers/1' },
    ]);
    expect(removeFinalizer(obj({ finalizers: ['other'] }))).toBeUndefined();
  });
  it('reads the orphan annotation', () => {
    expect(orphaned(obj({ annotations: { 'herald.dev/orphan': 'true' } }))).toBe(true);
    expect(orphaned(obj({ annotations: { 'herald.dev/orphan': 'yes' } }))).toBe(false);
  });
});

describe('cleanedUp', () => {
  const m = (name: string, reachable: boolean, syncedAt: number, remaining: string[] = []) => ({ name, reachable, syncedAt, remaining: new Set(remaining) });
  it('waits for every reachable member to reconcile after the deletion and drop the copy', () => {
    expect(cleanedUp('Receiver/ops', 100, [m('a', true, 150), m('b', true, 90)])).toBe(false);
    expect(cleanedUp('Receiver/ops', 100, [m('a', true, 150), m('b', true, 160, ['Receiver/ops'])])).toBe(false);
    expect(cleanedUp('Receiver/ops', 100, [m('a', true, 150), m('b', true, 160)])).toBe(true);
  });
  it('never waits for a member that is down', () => {
    expect(cleanedUp('Receiver/ops', 100, [m('a', true, 150), m('b', false, 0, ['Receiver/ops'])])).toBe(true);
  });
});
