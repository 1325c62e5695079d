/**
 * Channels that split a notification (or send it to several chats) post the parts one after
 * another, in order. The first failure stops the rest: later parts must not arrive before an
 * earlier one. The pipeline retries the whole target; given the batch's progress, a retry skips
 * the parts already accepted (see progress.ts), and the error says how many there were.
 */
import { DeliveryError, type SendProgress, type SendResult } from './notifier.js';
import { once, stepKey } from './progress.js';

/** Where a run of parts goes (a chat, a webhook) and the batch's progress, so a retry resumes it. */
export interface Resume {
  progress: SendProgress | undefined;
  scope: string;
}

/** Sends each item in order; resolves with every answer, or throws the first failure, annotated. */
export async function sendInOrder<T>(items: readonly T[], send: (item: T, index: number) => Promise<string>, resume?: Resume): Promise<string[]> {
  const answers: string[] = [];
  for (const [i, item] of items.entries()) {
    try {
      answers.push(await once(resume?.progress, stepKey(`${resume?.scope ?? ''}#${i}/${items.length}`, item), () => send(item, i)));
    } catch (err) {
      if (!(err instanceof DeliveryError) || items.length === 1) throw err;
      const skip = resume?.progress ? ', a retry skips them' : ', a retry sends them again';
      const done = answers.length > 0 ? `; ${answers.length} earlier accepted${skip}` : '';
      throw new DeliveryError(`${err.message} (message ${i + 1} of ${items.length}${done})`, {
        retryable: err.retryable,
        ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
        cause: err,
        why: { kind: 'same', reason: err.reason },
      });
    }
  }
  return answers;
}

/** The SendResult of a run of messages: the first answer, and the last when there were several. */
export function resultOf(answers: readonly string[]): SendResult {
  const [first = '', ...rest] = answers;
  const last = rest.at(-1);
  return { answer: last === undefined ? first : `${answers.length} messages: ${first} … ${last}`, messages: answers.length };
}

export interface FanOut<T> {
  /** e.g. `telegram sendMessage`: starts the combined error message. */
  what: string;
  destinations: readonly T[];
  name(destination: T): string;
  /** Sends everything for one destination; resolves with its answers. */
  send(destination: T): Promise<string[]>;
  /** True when an error would repeat for every other destination (credentials, rate limit, outage). */
  stops(error: DeliveryError): boolean;
}

interface Failure {
  name: string;
  error: DeliveryError;
}

function combined(what: string, outcome: { done: readonly string[]; failures: readonly Failure[]; skipped: readonly string[] }): DeliveryError {
  const { done, failures, skipped } = outcome;
  const reasons = failures.map((f) => `${f.name}: ${f.error.message}`).join('; ');
  const sent = done.length > 0 ? `; already sent to ${done.join(', ')}` : '';
  const notTried = skipped.length > 0 ? `; not attempted: ${skipped.join(', ')}` : '';
  const waits = failures.map((f) => f.error.retryAfterMs).filter((ms): ms is number => ms !== undefined);
  return new DeliveryError(`${what} failed: ${reasons}${sent}${notTried}`, {
    retryable: failures.some((f) => f.error.retryable),
    ...(waits.length > 0 ? { retryAfterMs: Math.max(...waits) } : {}),
    cause: failures[0]?.error,
    why: { kind: 'combined', reasons: failures.map((f) => f.error.reason) },
  });
}

/**
 * Sends to each destination (chat, user) in turn. One destination's own error (a chat not found)
 * does not keep the others from their message; an error that would repeat stops the run. As with
 * parts, a retry of the target sends again to destinations that already succeeded; the error names them.
 */
export async function sendToEach<T>(fan: FanOut<T>): Promise<SendResult> {
  const answers: string[] = [];
  const done: string[] = [];
  const failures: Failure[] = [];
  const skipped: string[] = [];
  for (const [i, destination] of fan.destinations.entries()) {
    const name = fan.name(destination);
    try {
      answers.push(...(await fan.send(destination)));
      done.push(name);
    } catch (err) {
      if (!(err instanceof DeliveryError)) throw err;
      failures.push({ name, error: err });
      if (fan.stops(err)) {
        skipped.push(...fan.destinations.slice(i + 1).map((d) => fan.name(d)));
        break;
      }
    }
  }
  if (failures.length > 0) throw combined(fan.what, { done, failures, skipped });
  return resultOf(answers);
}
