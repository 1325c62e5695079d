/**
 * Splitting for providers whose limit is on what they receive rather than on the text alone: a
 * DingTalk robot counts the whole request body (JSON escaping, `at` lists, title), a keyword may
 * have to be appended to every chunk, a mention line takes room. `fitChunks` splits so that each
 * chunk, measured the way the provider measures it, fits; cuts follow splitMessage (line breaks
 * first, never inside a character, nothing lost, order kept).
 */
import { splitMessage, utf8Length } from '../template/split.js';

/** The UTF-8 size of a JSON value as it goes over the wire. */
export function jsonBytes(value: unknown): number {
  return utf8Length(JSON.stringify(value));
}

/**
 * Chunks of `text` with `measure(chunk) <= maxBytes`. `measure('')` is the fixed overhead (the
 * envelope); what is left is the budget for text. Chunks are taken greedily: when escaping makes a
 * chunk too large, a smaller one is cut from the same place and the rest flows into the next.
 */
export function fitChunks(text: string, maxBytes: number, measure: (chunk: string) => number): string[] {
  const overhead = measure('');
  const budget = maxBytes - overhead;
  if (budget < 4) throw new RangeError(`message envelope takes ${overhead} of ${maxBytes} bytes: no room for text`);
  if (measure(text) <= maxBytes) return [text];
  const chunks: string[] = [];
  let start = 0;
  while (start < text.length) {
    const chunk = firstFitting(text, start, { budget, maxBytes, overhead, measure });
    chunks.push(chunk);
    start += chunk.length;
  }
  return chunks;
}

interface Fit {
  budget: number;
  maxBytes: number;
  overhead: number;
  measure: (chunk: string) => number;
}

/** The longest chunk from `start` that splitMessage would cut and that fits once measured. */
function firstFitting(text: string, start: number, fit: Fit): string {
  let budget = fit.budget;
  for (;;) {
    // budget + 1 code units hold more than `budget` bytes, so the cut is the one the whole rest would get.
    const window = text.slice(start, start + budget + 1);
    const chunk = splitMessage(window, budget)[0] ?? window;
    const size = fit.measure(chunk);
    if (size <= fit.maxBytes) return chunk;
    // Scale the budget by how much escaping inflated this chunk; always make progress.
    const scaled = Math.floor((budget * (fit.maxBytes - fit.overhead)) / (size - fit.overhead));
    const next = Math.max(4, Math.min(budget - 1, scaled));
    if (next === budget) throw new RangeError('a single character does not fit the message limit');
    budget = next;
  }
}

/** `text` with the keywords appended when it holds none of them (robots reject such messages). */
export function withKeywords(text: string, keywords: readonly string[] | undefined): string {
  if (!keywords || keywords.length === 0 || keywords.some((k) => text.includes(k))) return text;
  return `${text}\n\n${keywords.join(' ')}`;
}
