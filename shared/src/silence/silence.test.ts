import { describe, expect, it } from 'vitest';
import type { SilenceSpec } from '../api/routing.js';
import { isSilenceActive, silenceWindow } from './silence.js';

const at = (iso: string): Date => new Date(iso);

describe('isSilenceActive', () => {
  it.each<[string, SilenceSpec, string, boolean]>([
    ['no time bounds: always', { matcher: {} }, '2026-11-21T12:00:00Z', true],
    ['disabled', { matcher: {}, enabled: false }, '2026-11-21T12:00:00Z', false],
    ['one-off before start', { matcher: {}, startsAt: '2026-11-21T12:00:00Z', duration: '1h' }, '2026-11-21T11:59:59Z', false],
    ['one-off at start', { matcher: {}, startsAt: '2026-11-21T12:00:00Z', duration: '1h' }, '2026-11-21T12:00:00Z', true],
    ['one-off just before end', { matcher: {}, startsAt: '2026-11-21T12:00:00Z', duration: '1h' }, '2026-11-21T12:59:59Z', true],
    ['one-off at end', { matcher: {}, startsAt: '2026-11-21T12:00:00Z', duration: '1h' }, '2026-11-21T13:00:00Z', false],
    ['startsAt without duration: open ended', { matcher: {}, startsAt: '2026-11-21T12:00:00Z' }, '2030-01-01T00:00:00Z', true],
    ['nightly 02:00 for 1h, at 02:00', { matcher: {}, schedule: '0 2 * * *', duration: '1h' }, '2026-11-21T02:00:00Z', true],
    ['nightly 02:00 for 1h, at 02:30', { matcher: {}, schedule: '0 2 * * *', duration: '1h' }, '2026-11-21T02:30:00Z', true],
    ['nightly 02:00 for 1h, at 03:00', { matcher: {}, schedule: '0 2 * * *', duration: '1h' }, '2026-11-21T03:00:00Z', false],
    ['nightly 02:00 for 1h, at 01:59', { matcher: {}, schedule: '0 2 * * *', duration: '1h' }, '2026-11-21T01:59:00Z', false],
    ['weekends all day', { matcher: {}, schedule: '0 0 * * 6', duration: '48h' }, '2026-11-22T23:00:00Z', true],
    ['weekends all day, on Monday', { matcher: {}, schedule: '0 0 * * 6', duration: '48h' }, '2026-11-23T00:00:00Z', false],
  ])('%s', (_name, spec, now, want) => expect(isSilenceActive(spec, at(now))).toBe(want));
});

describe('silenceWindow', () => {
  const iso = (w: { startsAt?: Date; endsAt?: Date }) => ({ startsAt: w.startsAt?.toISOString(), endsAt: w.endsAt?.toISOString() });
  it('agrees with isSilenceActive and gives the window in force or next', () => {
    const oneOff = { matcher: {}, startsAt: '2026-11-21T12:00:00Z', duration: '1h' };
    expect(silenceWindow(oneOff, at('2026-11-21T11:00:00Z')).state).toBe('pending');
    expect(silenceWindow(oneOff, at('2026-11-21T12:30:00Z'))).toMatchObject({ state: 'active' });
    expect(iso(silenceWindow(oneOff, at('2026-11-21T12:30:00Z')))).toEqual({ startsAt: '2026-11-21T12:00:00.000Z', endsAt: '2026-11-21T13:00:00.000Z' });
    expect(silenceWindow(oneOff, at('2026-11-21T13:00:00Z')).state).toBe('expired');
    expect(silenceWindow({ ...oneOff, enabled: false }, at('2026-11-21T12:30:00Z'))).toEqual({ state: 'expired' });
    expect(silenceWindow({ matcher: {} }, at('2026-11-21T12:30:00Z'))).toEqual({ state: 'active' });
    const nightly = { matcher: {}, schedule: '0 2 * * *', duration: '1h' };
    expect(iso(silenceWindow(nightly, at('2026-11-21T02:30:00Z')))).toEqual({ startsAt: '2026-11-21T02:00:00.000Z', endsAt: '2026-11-21T03:00:00.000Z' });
    const next = silenceWindow(nightly, at('2026-11-21T03:00:00Z'));
    expect({ state: next.state, ...iso(next) }).toEqual({ state: 'pending', startsAt: '2026-11-22T02:00:00.000Z', endsAt: '2026-11-22T03:00:00.000Z' });
    for (const spec of [oneOff, nightly]) {
      for (const t of ['2026-11-21T01:00:00Z', '2026-11-21T02:10:00Z', '2026-11-21T12:10:00Z', '2026-11-21T14:00:00Z']) {
        expect(silenceWindow(spec, at(t)).state === 'active').toBe(isSilenceActive(spec, at(t)));
      }
    }
  });
});
