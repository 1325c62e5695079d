/**
 * Sends a message through one provider: the text is split to the provider's character cap and the
 * numbers into batches of its request limit. Each batch gets the parts in order; a failed part ends
 * that batch (a later part must not arrive without the earlier one), and a failure that would repeat
 * (credentials, throttling, network) ends the send. Every outcome is named in the result or error.
 */
import { messageOf } from '../../http.js';
import { DeliveryError, type SendProgress, type SendResult } from '../../notifier.js';
import { stepKey } from '../../progress.js';
import { splitChars } from './split.js';
import { SmsRequestError, type RefusedNumber, type SmsProvider } from './provider.js';

/** Failures named one by one in an error; the rest are counted (a batch can refuse 1,000 numbers). */
const MAX_LISTED = 10;

interface Failure {
  what: string;
  error: DeliveryError;
}

interface Outcome {
  sent: string[];
  failures: Failure[];
  skipped: string[];
  answers: string[];
  messages: number;
}

/** Splits items into slices of at most size. */
function batchesOf<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A short name for a batch of numbers: all of a few, else the first and last and how many. */
function describeNumbers(numbers: readonly string[]): string {
  if (numbers.length <= 3) return numbers.join(', ');
  return `${numbers[0]}…${numbers.at(-1)} (${numbers.length} numbers)`;
}

function refusedFailure(r: RefusedNumber, part: string): Failure {
  return { what: `${r.number}${part}`, error: new DeliveryError(`${r.code} ${r.message}`.trim(), { retryable: r.retryable, why: { kind: 'api', api: 'sms', code: r.code } }) };
}

function failureOf(err: unknown): SmsRequestError {
  if (err instanceof SmsRequestError) return err;
  // postHttp's network errors and anything unexpected: the next request would likely fail too.
  const retryable = err instanceof DeliveryError ? err.retryable : true;
  const why = err instanceof DeliveryError ? { kind: 'same' as const, reason: err.reason } : { kind: 'thrown' as const, error: err };
  return new SmsRequestError(messageOf(err), { retryable, stop: true, cause: err, why });
}

export async function deliver(
  provider: SmsProvider,
  numbers: readonly string[],
  text: string,
  run: { signal: AbortSignal; progress?: SendProgress },
): Promise<SendResult> {
  const { signal, progress } = run;
  const parts = splitChars(text, provider.maxChars);
  const batches = batchesOf(numbers, provider.batchSize);
  const out: Outcome = { sent: [], failures: [], skipped: [], answers: [], messages: 0 };
  for (const [b, batch] of batches.entries()) {
    const name = batches.length > 1 ? `batch ${b + 1}/${batches.length} (${describeNumbers(batch)})` : describeNumbers(batch);
    const stop = await sendBatch({ provider, batch, parts, signal, progress }, name, out);
    if (stop) {
      out.skipped.push(...batches.slice(b + 1).map((rest, i) => `batch ${b + i + 2}/${batches.length} (${describeNumbers(rest)})`));
      break;
    }
  }
  if (out.failures.length > 0) throw combined(provider.name, out);
  const partsNote = parts.length > 1 ? ` in ${parts.length} parts` : '';
  return { answer: `${provider.name}: sent to ${describeNumbers(numbers)}${partsNote}; ${out.answers.at(-1) ?? ''}`.trim(), messages: out.messages };
}

/** Sends every part to one batch; true when the send must stop here. */
async function sendBatch(
  args: { provider: SmsProvider; batch: readonly string[]; parts: readonly string[]; signal: AbortSignal; progress?: SendProgress | undefined },
  name: string,
  out: Outcome,
): Promise<boolean> {
  const { provider, batch, parts, signal, progress } = args;
  for (const [p, text] of parts.entries()) {
    const part = parts.length > 1 ? ` part ${p + 1}/${parts.length}` : '';
    // A part an earlier attempt already sent to this batch is not sent (and billed) again.
    const step = stepKey(`${provider.name}#${p}/${parts.length}`, { numbers: batch, text });
    const before = progress?.sent(step);
    if (before !== undefined) {
      out.answers.push(`${before} (sent by an earlier attempt)`);
      out.sent.push(`${name}${part}`);
      continue;
    }
    try {
      const reply = await provider.send({ numbers: batch, text, signal });
      progress?.record(step, reply.answer);
      out.answers.push(reply.answer);
      out.failures.push(...reply.refused.map((r) => refusedFailure(r, part)));
      out.messages += batch.length - reply.refused.length;
      out.sent.push(`${name}${part}`);
    } catch (err) {
      // A timeout or shutdown ends the send, and the error still says what went out before it.
      const failure = signal.aborted ? new SmsRequestError(`aborted: ${messageOf(signal.reason)}`, { retryable: true, stop: true, why: { kind: 'aborted' } }) : failureOf(err);
      out.failures.push({ what: `${name}${part}`, error: failure });
      if (p + 1 < parts.length) out.skipped.push(`${name} parts ${p + 2}–${parts.length}`);
      return failure.stop;
    }
  }
  return false;
}

/** One DeliveryError for the whole target, naming what was sent before and around the failures. */
function combined(provider: string, out: Outcome): DeliveryError {
  const listed = out.failures.slice(0, MAX_LISTED).map((f) => `${f.what}: ${f.error.message}`);
  if (out.failures.length > MAX_LISTED) listed.push(`and ${out.failures.length - MAX_LISTED} more`);
  const what = listed.join('; ');
  const done = out.sent.length > 0 ? `; already sent: ${out.sent.join(', ')}` : '';
  const notTried = out.skipped.length > 0 ? `; not attempted: ${out.skipped.join(', ')}` : '';
  const retryAfters = out.failures.map((f) => f.error.retryAfterMs).filter((ms): ms is number => ms !== undefined);
  return new DeliveryError(`sms ${provider} failed: ${what}${done}${notTried}`, {
    retryable: out.failures.some((f) => f.error.retryable),
    retryAfterMs: retryAfters.length > 0 ? Math.max(...retryAfters) : undefined,
    cause: out.failures[0]?.error,
    why: { kind: 'combined', reasons: out.failures.map((f) => f.error.reason) },
  });
}
