/**
 * Deliverer: sends due batches, one at a time per receiver channel (so order holds within a
 * queue and a slow or dead receiver only delays itself), many queues at once. Every outcome is
 * recorded: delivered, retried later with backoff, or failed with the channel's reason.
 */
import type { Channel, Credential } from '@herald/shared';
import { resolveCredential } from '@herald/shared/credential';
import type { Snapshot } from '../config/snapshot.js';
import type { Metrics } from '../metrics.js';
import { templateDataFor, type GroupState, type Notification } from '../model/notification.js';
import type { EgressPolicy } from '../notify/egress.js';
import { DeliveryError, type Notifier, type Renderer, type SendProgress, type SendResult, type Target } from '../notify/notifier.js';
import { progressOf } from '../notify/progress.js';
import type { Batch, Outbox } from '../store/outbox.js';
import type { Clock } from './clock.js';
import { backoffMs, groupLabelsOf } from './keys.js';
import { resolveTarget } from './target.js';
import { parseTargetKey } from '../model/target-key.js';
import { Throttles, type ThrottleSpec } from './throttle.js';
import { TemplateError, chooseTemplate } from '../template/index.js';
import { decide, type BatchPart, type Origin } from './notification-log.js';

/** Send attempts a batch may begin without finishing (the thread died) before it fails. */
const MAX_UNFINISHED_SENDS = 3;

export interface DelivererDeps {
  outbox: Outbox;
  snapshot: () => Snapshot;
  clock: Clock;
  notifiers: Partial<Record<Channel, Notifier>>;
  renderer: (snap: Snapshot) => Renderer;
  metrics?: Metrics;
  random?: () => number;
  /** Most sends in flight at once, across all queues. */
  concurrency?: number;
  log?: (entry: Record<string, unknown>) => void;
}

/**
 * Sends one group to one target now; used by the queue and by /api/v2/verify. `egress` is the
 * outbound address policy: the Settings one for configured receivers, a stricter one (with
 * inlinePolicy) for targets a caller supplied.
 */
export async function sendOnce(args: {
  target: Target;
  notifications: Notification[];
  /** The notification log's view of the group (absent for a test message). */
  group?: GroupState;
  snap: Snapshot;
  notifier: Notifier;
  renderer: Renderer;
  egress: EgressPolicy;
  signal?: AbortSignal;
  progress?: SendProgress;
}): Promise<SendResult> {
  const { target, notifications, snap } = args;
  const settings = snap.settings;
  const options = settings.channel(target.channel);
  const first = notifications[0];
  const data = templateDataFor({
    receiver: target.receiver,
    cluster: settings.cluster.name,
    alerts: notifications,
    groupLabels: first ? groupLabelsOf(first.labels, settings.groupLabels) : {},
    ...(args.group ? { group: args.group } : {}),
  });
  const signal = args.signal ?? AbortSignal.timeout(options.timeoutMs);
  const secret = (credential: Credential | undefined, field: string): string => {
    const r = resolveCredential(credential, snap.secrets, { field, defaultNamespace: settings.defaultSecretNamespace });
    if (r.ok) return r.value;
    throw new DeliveryError(`${r.field}: ${r.reason}`, { retryable: true, why: { kind: 'config' } });
  };
  const templates = withPrecedence(args.renderer, target, settings.globalTemplate);
  return args.notifier.send({ target, data, templates, secret, signal, egress: args.egress, options, ...(args.progress ? { progress: args.progress } : {}) });
}

/**
 * The notifier names the receiver's (or its channel option's) template; this adds the rest of the
 * precedence — the receiver's tmplText above it, the global template below it — and turns a
 * template error into a retryable delivery error (fixing the Template lets the retry through).
 */
function withPrecedence(base: Renderer, target: Target, globalTemplate: string | undefined): Renderer {
  const tmplText = (target.spec as { tmplText?: { name: string; key: string } }).tmplText;
  return {
    render(kind, name, data) {
      const chosen = chooseTemplate({ kind, receiverTemplate: name, receiverTmplText: tmplText, globalOptionTemplate: globalTemplate });
      try {
        return base.render(kind, chosen, data);
      } catch (err) {
        if (err instanceof TemplateError) throw new DeliveryError(`template: ${err.message}`, { retryable: true, cause: err, why: { kind: 'template' } });
        throw err;
      }
    },
  };
}

export class Deliverer {
  private readonly busy = new Set<string>();
  /** Targets that may have pending batches; each is a FIFO queue whose head is looked up by index. */
  private readonly queued = new Set<string>();
  private inFlight = 0;
  private timer: { cancel(): void } | undefined;
  private kickPending = false;
  private stopped = false;
  private readonly running = new Set<Promise<void>>();
  private readonly throttles = new Throttles();

  constructor(private readonly deps: DelivererDeps) {
    for (const t of deps.outbox.queuedTargets()) this.queued.add(t);
  }

  /** New batches for `target` (or, without one, just look again). Coalesced into one pass. */
  kick(target?: string): void {
    if (target !== undefined) this.queued.add(target);
    if (this.stopped || this.kickPending) return;
    this.kickPending = true;
    setImmediate(() => {
      this.kickPending = false;
      this.pass();
    });
  }

  /** Stops taking work and waits for sends in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await Promise.allSettled([...this.running]);
  }

  /** Starts every queue whose head is due; arms a timer for the earliest head that is not. */
  private pass(): void {
    if (this.stopped) return;
    const now = this.deps.clock.now();
    const limit = this.deps.concurrency ?? 32;
    let next = Number.POSITIVE_INFINITY;
    for (const target of this.queued) {
      if (this.busy.has(target)) continue;
      const head = this.deps.outbox.head(target);
      if (!head) {
        this.queued.delete(target);
        continue;
      }
      if (head.nextAttemptAt > now) {
        next = Math.min(next, head.nextAttemptAt);
        continue;
      }
      if (this.inFlight >= limit) continue;
      const wait = this.throttles.take(target, this.throttleOf(target), now);
      if (wait > 0) next = Math.min(next, now + wait);
      else this.start(head);
    }
    this.timer?.cancel();
    this.timer = Number.isFinite(next) ? this.deps.clock.setTimeout(() => this.kick(), Math.max(next - now, 10)) : undefined;
  }

  private throttleOf(target: string): ThrottleSpec | undefined {
    const { channel } = parseTargetKey(target);
    return this.deps.snapshot().settings.channel(channel).throttle;
  }

  private start(batch: Batch): void {
    this.busy.add(batch.target);
    this.inFlight++;
    const run = this.attempt(batch).finally(() => {
      this.busy.delete(batch.target);
      this.inFlight--;
      this.running.delete(run);
      this.kick();
    });
    this.running.add(run);
  }
  private async attempt(batch: Batch): Promise<void> {
    const { outbox, clock, metrics } = this.deps;
    const { receiver, channel } = parseTargetKey(batch.target);
    // Attempts that began and left no record ended with the thread (a batch too big for its heap,
    // most likely): after a few, the batch fails instead of stopping every queue again.
    if (batch.starts - batch.attempts >= MAX_UNFINISHED_SENDS) {
      const error = `the pipeline thread stopped while sending this batch, ${batch.starts - batch.attempts} times (${batch.count} notifications; too large for --pipeline-heap-mb?)`;
      this.deps.log?.({ msg: 'delivery failed', target: batch.target, error });
      outbox.failed(batch, { error, reason: 'other', fingerprints: [], now: clock.now() });
      metrics?.failed.inc({ receiver, channel, reason: 'other' }, batch.count);
      return;
    }
    outbox.beginSend(batch);
    const snap = this.deps.snapshot();
    const parts: BatchPart[] = outbox.batchSegments(batch.id).map((s) => ({
      request: s.request,
      final: s.final,
      origin: s.origin === undefined ? undefined : (JSON.parse(s.origin) as Origin),
      notifications: JSON.parse(s.notifications) as Notification[],
    }));
    const decision = decide(outbox.logEntry(batch.target, batch.groupKey), parts, { now: clock.now(), windowMs: snap.settings.delivery.dedupWindowMs });
    const notifications = decision.alerts;
    const fingerprints = notifications.map((n) => n.fingerprint);
    if (!decision.send) {
      outbox.suppressed(batch, { reason: decision.reason, fingerprints, now: clock.now() });
      metrics?.suppressed.inc(notifications.length);
      return;
    }
    const group: GroupState = { status: decision.status, externalURL: decision.externalURL, truncatedAlerts: decision.truncatedAlerts, sourceGroups: decision.sourceGroups };
    // What earlier attempts delivered; the steps this attempt delivers are added as it goes.
    const progress = progressOf({ ...batch.progress });
    try {
      const resolved = resolveTarget(batch.target, snap);
      if (!resolved.ok) throw new DeliveryError(resolved.error, { retryable: resolved.retryable, why: { kind: 'config' } });
      const notifier = this.deps.notifiers[channel];
      if (!notifier) throw new DeliveryError(`channel ${channel} is not supported by this agent`, { retryable: true, why: { kind: 'config' } });
      const result = await sendOnce({ target: resolved.target, notifications, group, snap, notifier, renderer: this.deps.renderer(snap), egress: snap.settings.egress, progress });
      const now = clock.now();
      outbox.delivered(batch, { answer: result.answer, fingerprints, now, log: { ...decision.next, sentAt: now } });
      metrics?.delivered.inc({ receiver, channel }, notifications.length);
      metrics?.latency.observe({ channel }, (now - batch.firstReceivedAt) / 1000);
    } catch (err) {
      this.failure(batch, { err, fingerprints, receiver, channel, progress: progress.steps });
    }
  }

  private failure(batch: Batch, { err, fingerprints, receiver, channel, progress }: { err: unknown; fingerprints: string[]; receiver: string; channel: Channel; progress: Record<string, string> }): void {
    const { outbox, clock, metrics, snapshot } = this.deps;
    const now = clock.now();
    const e = err instanceof DeliveryError ? err : new DeliveryError(`unexpected error: ${(err as Error).message}`, { retryable: true, why: { kind: 'thrown', error: err } });
    const policy = snapshot().settings.delivery;
    const attempt = batch.attempts + 1;
    const delay = backoffMs(attempt, policy, { random: (this.deps.random ?? Math.random)(), retryAfterMs: e.retryAfterMs });
    const exhausted = attempt >= policy.maxAttempts || now + delay - batch.createdAt > policy.giveUpAfterMs;
    this.deps.log?.({ msg: 'delivery failed', target: batch.target, attempt, retryable: e.retryable, reason: e.reason, error: e.message });
    if (e.retryable && !exhausted) {
      outbox.retry(batch, { error: e.message, reason: e.reason, fingerprints, nextAttemptAt: now + delay, now, progress });
      metrics?.retried.inc({ receiver, channel, reason: e.reason });
      return;
    }
    const reason = e.retryable ? `gave up after ${attempt} attempts: ${e.message}` : e.message;
    outbox.failed(batch, { error: reason, reason: e.reason, fingerprints, now });
    metrics?.failed.inc({ receiver, channel, reason: e.reason }, fingerprints.length);
  }
}
