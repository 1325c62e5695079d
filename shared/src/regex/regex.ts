/**
 * User-supplied regular expressions (selectors' Match, a Router's regexName, Rule regexes, the
 * template helpers) run on RE2 (re2js, a pure-JavaScript port): a match takes time linear in the
 * input whatever the pattern, so no pattern can stall the pipeline (replaceAllString, a search per
 * match, is bounded below). On RegExp, `^(a+)+$` against a
 * 27-character label held the pipeline for 8.7 s, doubling with each character.
 *
 * The syntax is RE2's, which is Go's and so what Alertmanager and Notification Manager accept. What
 * JavaScript would accept but RE2 does not (lookaround, backreferences …) is refused with an error
 * that says so, rather than a bare parse error.
 */
import { RE2JS, RE2JSSyntaxException } from 're2js';

/** RegexError names the field whose pattern is unusable; a SyntaxError, as RegExp's would be. */
export class RegexError extends SyntaxError {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'RegexError';
  }
}

/** A compiled user pattern. */
export interface UserRegex {
  readonly source: string;
  /** fullMatchRegex: whether the whole value matches; searchRegex: whether it matches anywhere. */
  test(value: string): boolean;
}

const RE2_NOTE = '(patterns use RE2 syntax, as Alertmanager and Notification Manager do)';

/** JavaScript-only constructs, told apart by the fragment RE2 stopped at. */
const JS_ONLY: readonly (readonly [RegExp, string])[] = [
  [/^\(\?=/, 'lookahead (?=…)'],
  [/^\(\?!/, 'negative lookahead (?!…)'],
  [/^\(\?<=/, 'lookbehind (?<=…)'],
  [/^\(\?<!/, 'negative lookbehind (?<!…)'],
  [/^\\[1-9]$/, 'a backreference (\\1 …)'],
  [/^\\k/, 'a named backreference (\\k<name>)'],
  [/^\\u/, 'the escape \\uXXXX (write \\x{XXXX})'],
  [/^\\c/, 'the control escape \\cX (write \\x{…})'],
];

/** What RE2 refuses in a pattern JavaScript accepts. */
function unsupported(source: string, err: RE2JSSyntaxException): string {
  const fragment = err.getPattern() ?? '';
  const known = JS_ONLY.find(([prefix]) => prefix.test(fragment))?.[1];
  if (known !== undefined) return `${known} is not supported`;
  if (err.error === 'invalid repeat count') return 'repetition counts above 1000 (also when nested) are not supported';
  if (err.error === 'missing closing ]' && /\[\^?\]/.test(source)) return 'the empty classes [] and [^] are not supported (write (?s:.) for any character)';
  return describe(err);
}

/** RE2's reason and the fragment it stopped at, without its `error parsing regexp:` preamble. */
function describe(err: RE2JSSyntaxException): string {
  return err.message.replace(/^error parsing regexp: /, '');
}

function isJavaScriptRegex(source: string): boolean {
  try {
    // Compiling only: a RegExp is slow to match, never to compile.
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

/** Compiled patterns by source: templates compile theirs at render time, and a pattern may come from alert data, so bounded. */
const CACHE_SIZE = 512;
const cache = new Map<string, RE2JS>();

/** compileRE2 compiles (or finds in the cache) a pattern, throwing RegexError naming `field`. */
function compileRE2(source: string, field: string): RE2JS {
  const hit = cache.get(source);
  if (hit) {
    // Most recently used last, so the oldest is evicted first.
    cache.delete(source);
    cache.set(source, hit);
    return hit;
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
  } catch (err) {
    if (!(err instanceof RE2JSSyntaxException)) throw err;
    const reason = isJavaScriptRegex(source)
      ? `unsupported regular expression syntax: ${unsupported(source, err)} ${RE2_NOTE}`
      : `invalid regular expression: ${describe(err)}`;
    throw new RegexError(field, reason);
  }
  // The cast: the map is full, so it has a first key.
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(source, re);
  return re;
}

/** fullMatchRegex: the pattern must match the whole value (Alertmanager's `=~`). */
export function fullMatchRegex(source: string, field: string): UserRegex {
  const re = compileRE2(source, field);
  return { source, test: (value) => re.testExact(value) };
}

/** searchRegex: the pattern may match anywhere in the value (Go's regexp.MatchString); anchor it with ^ and $ for the whole. */
export function searchRegex(source: string, field: string): UserRegex {
  const re = compileRE2(source, field);
  return { source, test: (value) => re.test(value) };
}

/**
 * Each search is linear, but a pattern like `x*y|x` scans to the end of the text for every one of
 * its matches, so replacing all of them is quadratic in the text (as in Go). Replacing stops after
 * REPLACE_MAX_MATCHES matches and looks only at the first REPLACE_MAX_CHARS characters; the rest
 * is kept as it is. A template on a 64 KiB label then costs at most ~0.1 s, not a minute.
 */
export const REPLACE_MAX_MATCHES = 1000;
export const REPLACE_MAX_CHARS = 8192;

/**
 * Go's regexp.ReplaceAllString: every non-overlapping match of `source` in `value` is replaced by
 * `template` expanded as Go's Regexp.Expand does (`$1`, `${1}`, `$name`, `${name}`, `$$`). An
 * empty match right after a match is not replaced, as in Go (JavaScript would replace it). Within
 * the bounds above.
 */
export function replaceAllString(source: string, field: string, whole: string, template: string): string {
  const value = whole.length > REPLACE_MAX_CHARS ? whole.slice(0, REPLACE_MAX_CHARS) : whole;
  const rest = whole.slice(value.length);
  const re = compileRE2(source, field);
  const names = re.namedGroups();
  const groups = re.groupCount();
  const m = re.matcher(value);
  const group = (ref: string): string => {
    const i = groupIndex(ref, names);
    return i >= 0 && i <= groups ? (m.group(i) ?? '') : '';
  };
  let out = '';
  let lastEnd = 0;
  let searchPos = 0;
  let matches = 0;
  while (searchPos <= value.length && matches++ < REPLACE_MAX_MATCHES && m.find(searchPos)) {
    const start = m.start();
    const end = m.end();
    out += value.slice(lastEnd, start);
    if (end > lastEnd || start === 0) out += expand(template, group);
    lastEnd = end;
    // Always advance, by a whole character (a surrogate pair is one).
    const width = (value.codePointAt(searchPos) ?? 0) > 0xffff ? 2 : 1;
    searchPos = searchPos + width > end ? searchPos + width : end;
  }
  return out + value.slice(lastEnd) + rest;
}

/** Go's rule: a reference all of digits (no leading zero) is a group number, else a group name; -1 when there is no such group. */
function groupIndex(ref: string, names: Record<string, number>): number {
  if (/^(0|[1-9][0-9]*)$/.test(ref)) return Number(ref);
  // The cast: hasOwn has just found the key.
  return Object.hasOwn(names, ref) ? (names[ref] as number) : -1;
}

/** A reference: `$` then a name of letters, digits and `_`, bare (as long as it goes) or in braces. */
const REFERENCE = /\$(?:\$|\{([\p{L}\p{Nd}_]+)\}|([\p{L}\p{Nd}_]+))/gu;

/** Go's Regexp.Expand over `group`, which gives '' for a group that does not exist or did not match. */
function expand(template: string, group: (ref: string) => string): string {
  return template.replace(REFERENCE, (_whole, braced: string | undefined, bare: string | undefined) => {
    const ref = braced ?? bare;
    return ref === undefined ? '$' : group(ref);
  });
}
