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
  /**
   * Most members of any one object. One wide object is the costliest shape per byte (it turns
   * into a dictionary); Alertmanager's and the audit webhook's objects have tens of members.
   */
  maxObjectMembers: number;
}

/**
 * 1,000,000 values, for a whole 8 MiB Alertmanager body: an alert costs about 15 values for its
 * fixed fields and two per label or annotation, and takes 150 bytes or more. Small ones, ~280
 * bytes with 5 labels and a summary (27 values), fill 8 MiB with 30,000 alerts and 810,000
 * values (600,000 refused such a body). 100,000 members in one object: one alert of 299,000
 * labels, which 600,000 values let through, killed the agent (the bundle, under the Deployment's
 * heap flags), while 16 alerts of 100,000 labels at a time peaked at 183 MB and five alerts of
 * 99,000 in one body at 187 MB. The worst array shape the values allow, 500,000 empty objects,
 * stayed under 150 MB 16 at a time.
 */
export const DEFAULT_JSON_BOUNDS: JsonBounds = { maxDepth: 32, maxValues: 1_000_000, maxObjectMembers: 100_000 };

export type BoundsProblem = { kind: 'depth' | 'values'; message: string };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const COLON = 0x3a;

interface Counts {
  depth: number;
  /** Every container is a value, every comma starts one more, and every colon (a member's value) one more. */
  values: number;
  /** Members of each open container by depth; an array's slot is -1 (its elements are not members). */
  members: Int32Array;
}

function opened(n: Counts, isObject: boolean, bounds: JsonBounds): BoundsProblem | undefined {
  if (++n.depth > bounds.maxDepth) return { kind: 'depth', message: `JSON is nested deeper than ${bounds.maxDepth} levels` };
  if (++n.values > bounds.maxValues) return tooMany(bounds);
  n.members[n.depth] = isObject ? 0 : -1;
  return undefined;
}

function separated(n: Counts, isColon: boolean, bounds: JsonBounds): BoundsProblem | undefined {
  if (++n.values > bounds.maxValues) return tooMany(bounds);
  // Outside every container (malformed JSON, depth 0 or less) a colon is nobody's member.
  if (!isColon || n.depth <= 0 || n.members[n.depth] === -1) return undefined;
  const count = (n.members[n.depth] ?? 0) + 1;
  n.members[n.depth] = count;
  return count > bounds.maxObjectMembers ? tooWide(bounds) : undefined;
}

/** The first bound the text goes past, or undefined. Malformed JSON is left for the parser to report. */
export function jsonBoundsProblem(text: string, bounds: JsonBounds): BoundsProblem | undefined {
  const n: Counts = { depth: 0, values: 0, members: new Int32Array(bounds.maxDepth + 1) };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let problem: BoundsProblem | undefined;
    if (c === QUOTE) i = stringEnd(text, i);
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) problem = opened(n, c === OPEN_OBJECT, bounds);
    else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) n.depth--;
    else if (c === COMMA || c === COLON) problem = separated(n, c === COLON, bounds);
    if (problem) return problem;
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

const tooWide = (bounds: JsonBounds): BoundsProblem => ({
  kind: 'values',
  message: `a JSON object holds more than ${bounds.maxObjectMembers} members`,
});

const tooMany = (bounds: JsonBounds): BoundsProblem => ({
  kind: 'values',
  message: `JSON holds more than ${bounds.maxValues} values (--max-json-values); send fewer alerts per request (Alertmanager's max_alerts)`,
});
