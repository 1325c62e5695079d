/**
 * Resuming a send that failed half-way. A send may be several requests (parts of a split message,
 * several chats or numbers); when a later one fails, the pipeline retries the whole target. The
 * steps the channel already accepted are recorded with the batch (in the store, so a restart keeps
 * them), and the retry skips them: nothing is lost, and what was delivered is not sent again.
 */
import { createHash } from 'node:crypto';
import type { SendProgress } from './notifier.js';

/** A step's key: where it goes and what it carries (changed content is a new step). */
export function stepKey(scope: string, payload: unknown): string {
  const text = typeof payload === 'string' ? payload : payload instanceof URLSearchParams ? payload.toString() : JSON.stringify(payload);
  // A digest, never the content: a payload may hold a token, and the key is stored.
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 16);
  return `${scope}:${digest}`;
}

/** Sends a step unless an earlier attempt already did; records it once the channel accepted it. */
export async function once(progress: SendProgress | undefined, step: string, send: () => Promise<string>): Promise<string> {
  const before = progress?.sent(step);
  if (before !== undefined) return `${before} (sent by an earlier attempt)`;
  const answer = await send();
  progress?.record(step, answer);
  return answer;
}

/** A SendProgress over a plain record (what the store keeps per batch). */
export function progressOf(steps: Record<string, string>): SendProgress & { readonly steps: Record<string, string> } {
  return {
    steps,
    sent: (step) => steps[step],
    record: (step, answer) => {
      steps[step] = answer.slice(0, 200);
    },
  };
}
