/**
 * When a Silence is in force. A scheduled silence is active for `duration` after each cron tick
 * (UTC); a one-off from `startsAt` for `duration`; with neither, it is active until removed.
 */
import { CronExpressionParser } from 'cron-parser';
import type { SilenceSpec } from '@herald/shared';
import { durationOr } from '@herald/shared/duration';

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
