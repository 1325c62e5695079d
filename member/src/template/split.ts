/**
 * Splits a message for channels that cap its size in bytes (WeChat Work 2048, DingTalk, …).
 * Chunks are cut at line breaks where possible, else after a space, else at the last whole
 * character that fits. A cut is never inside a UTF-8 character or a UTF-16 surrogate pair
 * (emoji), nothing is dropped, and joining the chunks gives back the text exactly; a line break
 * at a cut stays at the end of the earlier chunk. Grapheme clusters (flags, ZWJ emoji, combining
 * accents) can still be separated at a hard cut; only whole code points are guaranteed.
 */

/**
 * How a provider counts a message: UTF-8 bytes (WeChat Work, DingTalk), UTF-16 code units
 * (JavaScript's length; the strictest reading of Telegram's 4096), or code points (Discord,
 * Pushover). Code-point and code-unit limits are "bytes" to the functions below.
 */
export type SizeUnit = 'utf8' | 'utf16' | 'codepoint';

/** UTF-8 size of a code point; a lone surrogate counts as U+FFFD (3 bytes), as TextEncoder writes it. */
function utf8Size(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  return codePoint < 0x10000 ? 3 : 4;
}

export function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) bytes += utf8Size(char.codePointAt(0) ?? 0);
  return bytes;
}

interface Scan {
  /** Index after the last code point that fits. */
  end: number;
  /** Index after the last line break that fits, if any. */
  afterLine?: number;
  /** Index after the last space or tab that fits, if any. */
  afterSpace?: number;
}

function sizeIn(unit: SizeUnit, codePoint: number): number {
  if (unit === 'utf8') return utf8Size(codePoint);
  return unit === 'utf16' && codePoint > 0xffff ? 2 : 1;
}

/** The size of text in `unit`. */
export function sizeOf(text: string, unit: SizeUnit): number {
  if (unit === 'utf16') return text.length;
  let size = 0;
  for (const char of text) size += sizeIn(unit, char.codePointAt(0) ?? 0);
  return size;
}

function scan(text: string, start: number, limit: number, unit: SizeUnit): Scan {
  const out: Scan = { end: start };
  let bytes = 0;
  let i = start;
  while (i < text.length) {
    const codePoint = text.codePointAt(i) ?? 0;
    bytes += sizeIn(unit, codePoint);
    if (bytes > limit) break;
    i += codePoint > 0xffff ? 2 : 1;
    if (codePoint === 0x0a) out.afterLine = i;
    else if (codePoint === 0x20 || codePoint === 0x09) out.afterSpace = i;
  }
  out.end = i;
  return out;
}

/**
 * Chunks of at most `maxBytes` UTF-8 bytes, less `suffixBytes` the caller reserves in each chunk
 * for a marker of its own (e.g. ` (1/3)`). The room left must hold any character (4 bytes).
 * A text that fits is returned whole, so '' gives [''].
 */
export function splitMessage(text: string, maxBytes: number, opts: { suffixBytes?: number; unit?: SizeUnit } = {}): string[] {
  const unit = opts.unit ?? 'utf8';
  const limit = maxBytes - (opts.suffixBytes ?? 0);
  if (!Number.isInteger(limit) || limit < 4) {
    throw new RangeError(`splitMessage: ${maxBytes} bytes less ${opts.suffixBytes ?? 0} reserved leaves no room for a character`);
  }
  if (sizeOf(text, unit) <= limit) return [text];
  const chunks: string[] = [];
  let start = 0;
  while (start < text.length) {
    const { end, afterLine, afterSpace } = scan(text, start, limit, unit);
    const cut = end === text.length ? end : (afterLine ?? afterSpace ?? end);
    chunks.push(text.slice(start, cut));
    start = cut;
  }
  return chunks;
}
