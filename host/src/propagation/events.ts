/**
 * Kubernetes Events on host objects, as client-go's recorder writes them: the involved object with
 * its uid (so `kubectl describe` lists them), a repeat of the same reason and message on the same
 * object within ten minutes counted on the one Event instead of a new one, and at most a burst of
 * 25 Events per object, then one per five minutes, so a flapping member cannot flood etcd.
 * The decision is pure (`eventStep`); the recorder does the writes and never throws.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { rawRequest } from '@herald/shared/k8s';

export interface InvolvedObject {
  apiVersion: string;
  kind: string;
  name: string;
  uid?: string;
}

export interface EventInput {
  object: InvolvedObject;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** What is known of one (object, reason, message): its Event's name and count. */
export interface Seen {
  name: string;
  count: number;
  firstTimestamp: string;
  lastAt: number;
}

/** A token bucket per involved object. */
export interface Bucket {
  tokens: number;
  at: number;
}

export const AGGREGATE_WINDOW_MS = 10 * 60_000;
export const BURST = 25;
export const REFILL_MS = 5 * 60_000;

export type Step = { do: 'create' } | { do: 'count'; name: string; count: number; firstTimestamp: string } | { do: 'drop' };

/** What to do with an Event now, and the bucket after (pure). */
export function eventStep(seen: Seen | undefined, bucket: Bucket | undefined, now: number): { step: Step; bucket: Bucket } {
  const was = bucket ?? { tokens: BURST, at: now };
  const tokens = Math.min(BURST, was.tokens + (now - was.at) / REFILL_MS);
  if (tokens < 1) return { step: { do: 'drop' }, bucket: { tokens, at: now } };
  const left = { tokens: tokens - 1, at: now };
  if (seen && now - seen.lastAt < AGGREGATE_WINDOW_MS) return { step: { do: 'count', name: seen.name, count: seen.count + 1, firstTimestamp: seen.firstTimestamp }, bucket: left };
  return { step: { do: 'create' }, bucket: left };
}

/**
 * The Event a member's outcome for an object calls for, when it changed since the last pass
 * (pure): a failed apply, an object the member's agent refused, or an object applied without a
 * Secret it references.
 */
export function outcomeReason(was: { state: string; message?: string } | undefined, now: { state: string; message?: string }): string | undefined {
  if (was?.state === now.state && was.message === now.message) return undefined;
  if (now.state === 'ApplyFailed' || now.state === 'ApplyOverridesFailed' || now.state === 'Rejected') return now.state;
  return now.state === 'Applied' && now.message ? 'SecretMissing' : undefined;
}

const objectKey = (o: InvolvedObject): string => `${o.kind}/${o.name}/${o.uid ?? ''}`;

export class EventRecorder {
  private readonly seen = new Map<string, Seen>();
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly opts: {
      kc: KubeConfig;
      component: string;
      now: () => Date;
      log: (entry: Record<string, unknown>) => void;
      /** Where Events on cluster-scoped objects go, as Node Events do. */
      namespace?: string;
    },
  ) {}

  async record(e: EventInput): Promise<void> {
    const now = this.opts.now();
    const key = `${objectKey(e.object)}\u0000${e.type}\u0000${e.reason}\u0000${e.message}`;
    const { step, bucket } = eventStep(this.seen.get(key), this.buckets.get(objectKey(e.object)), now.getTime());
    this.buckets.set(objectKey(e.object), bucket);
    if (step.do === 'drop') return;
    const ns = this.opts.namespace ?? 'default';
    const time = now.toISOString();
    try {
      if (step.do === 'count') {
        await rawRequest(this.opts.kc, 'PATCH', `/api/v1/namespaces/${ns}/events/${step.name}`, {
          contentType: 'application/merge-patch+json',
          body: JSON.stringify({ count: step.count, lastTimestamp: time }),
        });
        this.seen.set(key, { name: step.name, count: step.count, firstTimestamp: step.firstTimestamp, lastAt: now.getTime() });
        return;
      }
      const event = {
        metadata: { generateName: `${e.object.name}.`, namespace: ns },
        involvedObject: e.object,
        reason: e.reason,
        message: e.message.slice(0, 1024),
        type: e.type,
        source: { component: this.opts.component },
        firstTimestamp: time,
        lastTimestamp: time,
        count: 1,
      };
      const made = JSON.parse(await rawRequest(this.opts.kc, 'POST', `/api/v1/namespaces/${ns}/events`, { body: JSON.stringify(event) })) as { metadata: { name: string } };
      this.seen.set(key, { name: made.metadata.name, count: 1, firstTimestamp: time, lastAt: now.getTime() });
    } catch (err) {
      // An Event that cannot be written (or was garbage-collected before its count) is logged, not retried.
      this.seen.delete(key);
      this.opts.log({ msg: `cannot record event ${e.reason} on ${e.object.kind} ${e.object.name}`, error: (err as Error).message });
    }
    this.prune(now.getTime());
  }

  /** Forgets what no longer aggregates, so a long-running host does not keep every message. */
  private prune(now: number): void {
    if (this.seen.size < 4096) return;
    for (const [k, s] of this.seen) if (now - s.lastAt >= AGGREGATE_WINDOW_MS) this.seen.delete(k);
  }
}
