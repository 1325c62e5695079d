/** Kubernetes status conditions, kept the way `kubectl` readers expect. */
import type { Condition } from '../api/common.js';

/** A condition whose transition time moves only when its status flips. */
export function condition(c: Omit<Condition, 'lastTransitionTime'>, previous: Condition | undefined, now: string): Condition {
  return { ...c, lastTransitionTime: previous?.status === c.status ? previous.lastTransitionTime : now };
}
