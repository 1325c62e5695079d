/**
 * The helpers templates can call: Notification Manager's template functions, re-made for
 * Handlebars, plus the comparisons and filters Go templates have built in. Each takes untrusted
 * template arguments, so each tolerates wrong types (a missing field renders as nothing) rather
 * than throwing; only a bad regular expression fails the render, since silently ignoring it would
 * hide the mistake.
 */
import { replaceAllString, searchRegex } from '@herald/shared/regex';
import type { Dictionary } from './language.js';

/** Hidden from `sortedPairs … "labels"`, as Notification Manager hides it. */
const HIDDEN_LABELS: ReadonlySet<string> = new Set(['rule_id']);
/** Hidden from `sortedPairs … "annotations"`: the message ones are shown on their own line instead. */
const HIDDEN_ANNOTATIONS: ReadonlySet<string> = new Set(['runbook_url', 'message', 'summary', 'summary_cn', 'summaryCn']);

export interface Pair {
  name: string;
  value: string;
}

/** A template value as text: nothing for missing values, JSON for objects (never `[object Object]`). */
function text(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'object':
      return value === null ? '' : (JSON.stringify(value) ?? '');
    default:
      return '';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own keys only, sorted by name; `hide` picks which hidden set to leave out. */
export function sortedPairs(object: unknown, hide?: unknown): Pair[] {
  if (!isRecord(object)) return [];
  const hidden = hide === 'labels' ? HIDDEN_LABELS : hide === 'annotations' ? HIDDEN_ANNOTATIONS : undefined;
  return Object.keys(object)
    .filter((name) => !hidden?.has(name))
    .sort()
    .map((name) => ({ name, value: text(object[name]) }));
}

/** Go's strings.Title: the first letter of every word upper-cased, the rest untouched. */
export function title(value: unknown): string {
  return text(value).replace(/(^|[^\p{L}\p{N}_])(\p{L})/gu, (_m, before: string, letter: string) => before + letter.toUpperCase());
}

export function join(items: unknown, separator: unknown): string {
  if (!Array.isArray(items)) return '';
  return items.map(text).join(typeof separator === 'string' ? separator : ' ');
}

/** Go's regexp.MatchString: true when the pattern (RE2 syntax, linear time) matches anywhere in the text. */
export function match(pattern: unknown, value: unknown): boolean {
  return searchRegex(text(pattern), 'match').test(text(value));
}

/** Go's regexp.ReplaceAllString, replacement references (`$1`, `${1}`, `$name`, `${name}`, `$$`) included. */
export function reReplaceAll(pattern: unknown, replacement: unknown, value: unknown): string {
  return replaceAllString(text(pattern), 'reReplaceAll', text(value), text(replacement));
}

/** Length of an array or string, or the number of keys of an object. */
export function len(value: unknown): number {
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  return isRecord(value) ? Object.keys(value).length : 0;
}

export function gt(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a > b;
  return text(a) > text(b);
}

/** Alerts of one status, for `{{#each (firing alerts)}}`. */
export function byStatus(alerts: unknown, status: 'firing' | 'resolved'): unknown[] {
  if (!Array.isArray(alerts)) return [];
  return alerts.filter((a) => isRecord(a) && a.status === status);
}

export function translate(dictionary: Dictionary, word: unknown): string {
  const key = text(word);
  return Object.hasOwn(dictionary, key) ? (dictionary[key] ?? key) : key;
}

/** The first annotation of `keys` with a non-empty value. */
function firstAnnotation(alert: unknown, keys: readonly string[]): string {
  const annotations = isRecord(alert) ? alert.annotations : undefined;
  if (!isRecord(annotations)) return '';
  for (const key of keys) {
    const value = Object.hasOwn(annotations, key) ? text(annotations[key]) : '';
    if (value !== '') return value;
  }
  return '';
}

const MESSAGE_KEYS = ['message', 'summary'] as const;
const MESSAGE_KEYS_ZH = ['summaryCn', 'summary_cn', ...MESSAGE_KEYS] as const;

/** An alert's one-line message: zh-cn prefers the Chinese summary, then message, then summary. */
export function message(alert: unknown, language: string): string {
  return firstAnnotation(alert, language === 'zh-cn' ? MESSAGE_KEYS_ZH : MESSAGE_KEYS);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * `YYYY-MM-DD HH:mm:ss UTC`. Go's zero time (`0001-01-01T00:00:00Z`, what Alertmanager sends as
 * endsAt of a firing alert) and a missing time render as '' instead of a year-1 date; a value that
 * is not a time is shown unchanged rather than lost.
 */
export function formatTime(value: unknown): string {
  if (value === undefined || value === null || value === '') return '';
  const at = value instanceof Date ? value : new Date(typeof value === 'number' ? value : text(value));
  if (Number.isNaN(at.getTime())) return text(value);
  if (at.getUTCFullYear() <= 1) return '';
  const date = `${pad(at.getUTCFullYear(), 4)}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}`;
  return `${date} ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())} UTC`;
}

/** What the helpers that depend on the renderer's settings need. */
export interface HelperContext {
  language: string;
  dictionary: Dictionary;
  now: () => Date;
}

type Helper = (...args: unknown[]) => unknown;

/** Every helper by name. Handlebars appends an options object to the arguments; it is dropped here. */
export function helperTable(ctx: HelperContext): Record<string, Helper> {
  const table: Record<string, (...args: unknown[]) => unknown> = {
    toUpper: (s) => text(s).toUpperCase(),
    toLower: (s) => text(s).toLowerCase(),
    title,
    join,
    match,
    reReplaceAll,
    sortedPairs,
    len,
    eq: (a, b) => a === b,
    ne: (a, b) => a !== b,
    gt,
    firing: (alerts) => byStatus(alerts, 'firing'),
    resolved: (alerts) => byStatus(alerts, 'resolved'),
    translate: (word) => translate(ctx.dictionary, word),
    message: (alert) => message(alert, ctx.language),
    formatTime,
    now: () => ctx.now().toISOString(),
  };
  return Object.fromEntries(
    Object.entries(table).map(([name, fn]) => [name, (...args: unknown[]): unknown => fn(...args.slice(0, -1))]),
  );
}
