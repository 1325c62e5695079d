/**
 * SMS providers cap a template variable (and a whole message) in characters, not bytes: a Chinese
 * character, a letter, a digit and a space each count as one. This splits by code points, preferring
 * a cut after a line break, then after a space; a cut is never inside a character (or a surrogate
 * pair), nothing is dropped, and joining the chunks gives the text back.
 */

/** The number of characters (code points) in text. */
export function charLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Chunks of at most maxChars characters, in order; a text that fits is returned whole. */
export function splitChars(text: string, maxChars: number): string[] {
  if (!Number.isInteger(maxChars) || maxChars < 1) throw new RangeError(`splitChars: maxChars must be a positive integer, got ${maxChars}`);
  const chars = [...text];
  if (chars.length <= maxChars) return [text];
  const chunks: string[] = [];
  let start = 0;
  while (start < chars.length) {
    const end = Math.min(start + maxChars, chars.length);
    chunks.push(chars.slice(start, end === chars.length ? end : cutBefore(chars, start, end)).join(''));
    start += [...(chunks.at(-1) ?? '')].length;
  }
  return chunks;
}

/** The index to cut at within (start, end]: after the last line break, else the last space, else end. */
function cutBefore(chars: readonly string[], start: number, end: number): number {
  let afterSpace: number | undefined;
  for (let i = end; i > start; i--) {
    const c = chars[i - 1];
    if (c === '\n') return i;
    if (afterSpace === undefined && (c === ' ' || c === '\t')) afterSpace = i;
  }
  return afterSpace ?? end;
}
