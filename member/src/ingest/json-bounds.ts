/**
 * Bounds on a JSON text, checked before it is parsed. The body limit bounds bytes, but not what
 * parsing them costs: 3 MB of `[{},{},…]` is a million objects (67 MB of heap, more than the
 * agent's), 2 MB of nested `[[[…]]]` a million arrays, and 8 MB of one object's keys half a
 * million dictionary entries (~100 bytes each). One linear pass over the text, skipping strings,
 * counts nesting and values without building anything: a container, an element and an object
 * member's key and value each count (a member costs two, as its heap cost is about twice).
 */
export interface JsonBounds {
  /** Deepest nesting of objects and arrays. Herald's bodies need fewer than 10 levels. */
  maxDepth: number;
  /** Most values: containers, elements, and object members (two each). */
  maxValues: number;
}

/**
 * 600,000 values: 10,000 Alertmanager alerts of about 20 labels (a typical one is 33), or an object
 * of at most 300,000 keys, which parses within the agent's heap even several at a time.
 */
export const DEFAULT_JSON_BOUNDS: JsonBounds = { maxDepth: 32, maxValues: 600_000 };

export type BoundsProblem = { kind: 'depth' | 'values'; message: string };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const COLON = 0x3a;

/** The first bound the text goes past, or undefined. Malformed JSON is left for the parser to report. */
export function jsonBoundsProblem(text: string, bounds: JsonBounds): BoundsProblem | undefined {
  let depth = 0;
  // Every container is a value, every comma starts one more, and every colon (a member's value) one more.
  let values = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = stringEnd(text, i);
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > bounds.maxDepth) return { kind: 'depth', message: `JSON is nested deeper than ${bounds.maxDepth} levels` };
      if (++values > bounds.maxValues) return tooMany(bounds);
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) depth--;
    else if ((c === COMMA || c === COLON) && ++values > bounds.maxValues) return tooMany(bounds);
  }
  return undefined;
}

/** The index of the quote that closes the string opening at `start` (the text's end if none does). */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i;
  }
  return text.length;
}

const tooMany = (bounds: JsonBounds): BoundsProblem => ({
  kind: 'values',
  message: `JSON holds more than ${bounds.maxValues} values (--max-json-values); send fewer alerts per request (Alertmanager's max_alerts)`,
});
