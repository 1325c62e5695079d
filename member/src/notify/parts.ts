/**
 * One send to a WeChat Work, DingTalk or Feishu receiver is several requests: batches of
 * recipients, a bot beside the app, the chunks of a split message. They go one after another, in
 * order. A retryable failure stops the send (the next requests would meet the same limit or
 * outage); a terminal one abandons only its own part (the other destinations may still work).
 * The result names what was already delivered; given the batch's progress, the pipeline's retry
 * skips the requests that were accepted (see progress.ts).
 */
import { DeliveryError, type SendProgress, type SendResult } from './notifier.js';
import { once, stepKey } from './progress.js';

export interface Part {
  /** e.g. `app batch 1/2`, `chatbot`, `chat chat894f`. */
  name: string;
  /** The requests of this part, in order; each resolves with the provider's answer. */
  requests: Array<() => Promise<string>>;
}

interface Failure {
  part: string;
  error: DeliveryError;
}

function asDeliveryError(err: unknown): DeliveryError {
  return err instanceof DeliveryError ? err : new DeliveryError(`unexpected error: ${String(err)}`, { retryable: true, cause: err, why: { kind: 'thrown', error: err } });
}

function combined(channel: string, outcome: { sent: string[]; failures: Failure[]; skipped: string[] }): DeliveryError {
  const { sent, failures, skipped } = outcome;
  const what = failures.map((f) => `${f.part}: ${f.error.message}`).join('; ');
  const done = sent.length > 0 ? `; already sent: ${sent.join(', ')}` : '';
  const notTried = skipped.length > 0 ? `; not attempted: ${skipped.join(', ')}` : '';
  const waits = failures.map((f) => f.error.retryAfterMs).filter((ms): ms is number => ms !== undefined);
  return new DeliveryError(`${channel}: ${what}${done}${notTried}`, {
    retryable: failures.some((f) => f.error.retryable),
    retryAfterMs: waits.length > 0 ? Math.max(...waits) : undefined,
    cause: failures[0]?.error,
    why: { kind: 'combined', reasons: failures.map((f) => f.error.reason) },
  });
}

/**
 * Runs the parts in order and returns every answer, or throws one DeliveryError naming them all.
 * `resume.message` (the rendered text) keys the steps, so a changed message is sent afresh.
 */
export async function runParts(channel: string, parts: readonly Part[], resume?: { progress: SendProgress | undefined; message: string }): Promise<SendResult> {
  const sent: string[] = [];
  const answers: string[] = [];
  const failures: Failure[] = [];
  let messages = 0;
  for (const [i, part] of parts.entries()) {
    const got: string[] = [];
    try {
      for (const [k, request] of part.requests.entries()) {
        const step = stepKey(`${part.name}#${k}/${part.requests.length}`, resume?.message ?? '');
        got.push(await once(resume?.progress, step, request));
        messages++;
      }
      sent.push(part.name);
      answers.push(`${part.name}: ${[...new Set(got)].join(', ')}`);
    } catch (err) {
      if (got.length > 0) sent.push(`${part.name} (${got.length} of ${part.requests.length} messages)`);
      const error = asDeliveryError(err);
      failures.push({ part: part.name, error });
      if (error.retryable) {
        throw combined(channel, { sent, failures, skipped: parts.slice(i + 1).map((p) => p.name) });
      }
    }
  }
  if (failures.length > 0) throw combined(channel, { sent, failures, skipped: [] });
  return { answer: answers.join('; '), messages };
}

/**
 * The parts `build` makes, or, when building fails (a missing Config, a malformed field), one
 * part that fails with that error: the receiver's other destinations are still sent to.
 */
export function partsOrFailure(name: string, build: () => Part[]): Part[] {
  try {
    return build();
  } catch (err) {
    return [{ name, requests: [() => Promise.reject(asDeliveryError(err))] }];
  }
}
