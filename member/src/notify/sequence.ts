/**
 * Channels that split a notification (or send it to several chats) post the parts one after
 * another, in order. The first failure stops the rest: later parts must not arrive before an
 * earlier one. The pipeline retries the whole target, so parts already accepted are sent again;
 * the error says how many.
 */
import { DeliveryError, type SendResult } from './notifier.js';

/** Sends each item in order; resolves with every answer, or throws the first failure, annotated. */
export async function sendInOrder<T>(items: readonly T[], send: (item: T, index: number) => Promise<string>): Promise<string[]> {
  const answers: string[] = [];
  for (const [i, item] of items.entries()) {
    try {
      answers.push(await send(item, i));
    } catch (err) {
      if (!(err instanceof DeliveryError) || items.length === 1) throw err;
      const done = answers.length > 0 ? `; ${answers.length} earlier accepted, a retry sends them again` : '';
      throw new DeliveryError(`${err.message} (message ${i + 1} of ${items.length}${done})`, {
        retryable: err.retryable,
        ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
        cause: err,
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
