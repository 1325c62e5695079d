/**
 * Sliding-window send limits per destination (a DingTalk robot takes 20 messages a minute, a
 * WeChat Work group bot 20 a minute, a Feishu bot 100 a minute and 5 a second). The pipeline's
 * throttle counts sends per receiver channel; these limits belong to the robot, which several
 * receivers may share and one send may hit several times (a split message). So the notifier plans
 * every message of a send against the robot's window before it sends the first: when the plan
 * fits in the wait it may spend, the slots are reserved and it waits for each; when it does not,
 * nothing is sent and the send is retried when the window has room. Nothing is dropped.
 */
import { parseDuration } from '@herald/shared/duration';
import { abortedError } from './http.js';
import { DeliveryError } from './notifier.js';

export interface RateLimit {
  threshold: number;
  unitMs: number;
}

export type Plan = { ok: true; times: number[] } | { ok: false; waitMs: number };

/** Entries older than this are never consulted (no provider window is longer). */
const HORIZON_MS = 3_600_000;

/** The limit in a Settings throttle option (`{threshold, unit}`), or `fallback` when unset or malformed. */
export function limitOf(option: unknown, fallback: RateLimit): RateLimit {
  const o = option as { threshold?: unknown; unit?: unknown } | undefined;
  if (typeof o?.threshold !== 'number' || typeof o.unit !== 'string') return fallback;
  try {
    return { threshold: o.threshold, unitMs: parseDuration(o.unit) };
  } catch {
    return fallback;
  }
}

/** Settings `maxWaitTime` of a throttle option in milliseconds, or `fallback`. */
export function maxWaitOf(option: unknown, fallback: number): number {
  const o = option as { maxWaitTime?: unknown } | undefined;
  if (typeof o?.maxWaitTime !== 'string') return fallback;
  try {
    return parseDuration(o.maxWaitTime);
  } catch {
    return fallback;
  }
}

/** The earliest time at or after `t` when one more send fits every limit, given the sends in `log`. */
function earliest(log: readonly number[], t: number, limits: readonly RateLimit[]): number {
  let at = t;
  for (let moved = true; moved; ) {
    moved = false;
    for (const { threshold, unitMs } of limits) {
      const inWindow = log.filter((x) => x > at - unitMs);
      if (inWindow.length < threshold) continue;
      // Sorted log: the send that must leave the window before one more fits.
      const leaving = inWindow[inWindow.length - threshold] ?? at;
      at = Math.max(at, leaving + unitMs);
      moved = true;
    }
  }
  return at;
}

export class SendWindow {
  private readonly logs = new Map<string, number[]>();
  private readonly blocked = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Plans `n` sends to `key`. The plan fits when its last send (or, for more sends than one window
   * holds, its first) is due within `budgetMs`; then the times are reserved and returned.
   * Otherwise nothing is reserved and `waitMs` says when to try again.
   */
  reserve(key: string, n: number, limits: readonly RateLimit[], budgetMs: number): Plan {
    const now = this.now();
    const log = (this.logs.get(key) ?? []).filter((x) => x > now - HORIZON_MS);
    const planned = [...log];
    const times: number[] = [];
    let t = Math.max(now, this.blocked.get(key) ?? 0);
    for (let i = 0; i < n; i++) {
      t = earliest(planned, t, limits);
      times.push(t);
      planned.push(t);
      // Reservations of other sends may lie later than t: keep the log sorted for earliest().
      planned.sort((a, b) => a - b);
    }
    const fitsOneWindow = limits.every((l) => n <= l.threshold);
    const decisive = (fitsOneWindow ? times[times.length - 1] : times[0]) ?? now;
    if (decisive - now > budgetMs) return { ok: false, waitMs: Math.max(1000, decisive - now - budgetMs) };
    this.logs.set(key, planned);
    return { ok: true, times };
  }

  /** The provider said this destination is throttled: plan nothing before `ms` from now. */
  block(key: string, ms: number): void {
    this.blocked.set(key, Math.max(this.blocked.get(key) ?? 0, this.now() + ms));
  }
}

/** Resolves at `at` (epoch ms), or rejects with the signal's reason when it aborts first. */
function sleepUntil(at: number, signal: AbortSignal, now: () => number = Date.now): Promise<void> {
  const ms = at - now();
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Clock and sleep of the WeChat Work, DingTalk and Feishu notifiers (tests pass a fake clock). */
export interface ClockOptions {
  now?: () => number;
  sleep?: (at: number, signal: AbortSignal) => Promise<void>;
}

export interface Clock {
  now: () => number;
  sleep: (at: number, signal: AbortSignal) => Promise<void>;
}

export function clockOf(opts: ClockOptions = {}): Clock {
  const now = opts.now ?? Date.now;
  return { now, sleep: opts.sleep ?? ((at, signal) => sleepUntil(at, signal, now)) };
}

/**
 * How long a send may wait for a robot's window: the throttle's maxWaitTime, but at most half the
 * send timeout, so the wait never runs the send out of time after its first message went.
 */
export function waitBudgetMs(options: Readonly<{ timeoutMs: number }>, maxWaitMs: number): number {
  return Math.max(0, Math.min(maxWaitMs, options.timeoutMs / 2));
}

/** A duration option (e.g. `tokenExpires`) in milliseconds, or undefined when unset or malformed. */
export function durationOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseDuration(value);
  } catch {
    return undefined;
  }
}

export interface Pacing {
  window: SendWindow;
  /** The destination (a hash of the robot's URL). */
  key: string;
  limits: readonly RateLimit[];
  budgetMs: number;
  clock: Clock;
  signal: AbortSignal;
  /** e.g. `dingtalk chatbot`. */
  what: string;
}

function describeLimits(limits: readonly RateLimit[]): string {
  return limits.map((l) => `${l.threshold} per ${l.unitMs / 1000}s`).join(' and ');
}

/**
 * Wraps the requests of one message (its chunks) so that the first reserves a slot for every
 * chunk and each waits for its own. When the slots do not fit the budget, nothing is sent and the
 * send fails retryably with the wait, to be tried again when the window has room.
 */
export function paced(p: Pacing, sends: ReadonlyArray<() => Promise<string>>): Array<() => Promise<string>> {
  let times: number[] | undefined;
  return sends.map((send, i) => async () => {
    if (!times) {
      const plan = p.window.reserve(p.key, sends.length, p.limits, p.budgetMs);
      if (!plan.ok) {
        const wait = Math.ceil(plan.waitMs / 1000);
        throw new DeliveryError(`${p.what}: the robot's limit (${describeLimits(p.limits)}) is reached; retrying in ${wait}s`, {
          retryable: true,
          retryAfterMs: plan.waitMs,
          why: { kind: 'paced' },
        });
      }
      times = plan.times;
    }
    try {
      await p.clock.sleep(times[i] ?? 0, p.signal);
    } catch {
      throw abortedError(p.what, p.signal);
    }
    return send();
  });
}
