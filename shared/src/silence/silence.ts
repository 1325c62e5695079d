/**
 * When a Silence is in force. A scheduled silence is active for `duration` after each cron tick
 * (UTC); a one-off from `startsAt` for `duration`; with neither, it is active until removed.
 */
import { CronExpressionParser } from 'cron-parser';
import type { SilenceSpec } from '../api/routing.js';
import { durationOr } from '../duration/duration.js';

/** checkSchedule throws a message naming the field when a cron schedule cannot be parsed. */
export function checkSchedule(spec: SilenceSpec): void {
  if (spec.schedule === undefined) return;
  try {
    CronExpressionParser.parse(spec.schedule, { tz: 'UTC' });
  } catch (err) {
    throw new Error(`spec.schedule: invalid cron expression ${JSON.stringify(spec.schedule)}: ${(err as Error).message}`);
  }
}

export function isSilenceActive(spec: SilenceSpec, now: Date): boolean {
  if (spec.enabled === false) return false;
  const durationMs = durationOr(spec.duration, Number.POSITIVE_INFINITY);
  if (spec.schedule !== undefined) {
    // The first tick after (now - duration) opens a window that still covers now iff it is not after now.
    const from = new Date(now.getTime() - durationMs);
    const tick = CronExpressionParser.parse(spec.schedule, { currentDate: from, tz: 'UTC' }).next().getTime();
    return tick <= now.getTime();
  }
  if (spec.startsAt === undefined) return true;
  const start = Date.parse(spec.startsAt);
  return now.getTime() >= start && now.getTime() < start + durationMs;
}

export type SilenceState = 'active' | 'pending' | 'expired';

/** Where a Silence stands at `now`, with the window in force or next (absent ends are open). */
export interface SilenceWindow {
  state: SilenceState;
  startsAt?: Date;
  endsAt?: Date;
}

/**
 * silenceWindow says what `heraldctl silence query` shows: a disabled silence is expired (that
 * is what `expire` writes); a scheduled one is active in a window or pending until the next tick,
 * and never expires; a one-off is pending, active or expired by its bounds.
 */
export function silenceWindow(spec: SilenceSpec, now: Date): SilenceWindow {
  if (spec.enabled === false) return { state: 'expired' };
  const durationMs = durationOr(spec.duration, Number.POSITIVE_INFINITY);
  const ends = (start: number): Date | undefined => (Number.isFinite(durationMs) ? new Date(start + durationMs) : undefined);
  const window = (state: SilenceState, start: number): SilenceWindow => {
    const endsAt = ends(start);
    return { state, startsAt: new Date(start), ...(endsAt ? { endsAt } : {}) };
  };
  if (spec.schedule !== undefined) {
    const from = new Date(now.getTime() - durationMs);
    const opening = CronExpressionParser.parse(spec.schedule, { currentDate: from, tz: 'UTC' }).next().getTime();
    if (opening <= now.getTime()) return window('active', opening);
    return window('pending', opening);
  }
  if (spec.startsAt === undefined) return { state: 'active' };
  const start = Date.parse(spec.startsAt);
  if (now.getTime() < start) return window('pending', start);
  return now.getTime() < start + durationMs ? window('active', start) : window('expired', start);
}
