/**
 * Label selector matching: Kubernetes matchLabels and In/NotIn/Exists/DoesNotExist, plus
 * Notification Manager's Match operator (a regular expression on the label value).
 *
 * Match is anchored (the whole value must match, as with Alertmanager's `=~`) and never matches a
 * notification that lacks the key: Notification Manager's #257 muted every alert missing it. Its
 * pattern runs on RE2 (../regex), in time linear in the value.
 */
import type { LabelSelector, LabelSelectorRequirement } from '../api/common.js';
import { RegexError, fullMatchRegex, type UserRegex } from '../regex/regex.js';

export type Labels = Readonly<Record<string, string>>;
export type LabelMatcher = (labels: Labels) => boolean;

/** SelectorError says which part of a selector is unusable, by field path. */
export class SelectorError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'SelectorError';
  }
}

/** A Match pattern, which must match a whole value; throws SelectorError naming `field`. */
function matchRegex(source: string, field: string): UserRegex {
  try {
    return fullMatchRegex(source, field);
  } catch (err) {
    if (err instanceof RegexError) throw new SelectorError(field, err.reason);
    throw err;
  }
}

function compileRequirement(req: LabelSelectorRequirement, field: string): LabelMatcher {
  const { key, operator } = req;
  const values = req.values ?? [];
  switch (operator) {
    case 'In':
    case 'NotIn': {
      if (values.length === 0) throw new SelectorError(`${field}.values`, `${operator} needs at least one value`);
      const set = new Set(values);
      const inSet = (labels: Labels): boolean => Object.hasOwn(labels, key) && set.has(labels[key] as string);
      return operator === 'In' ? inSet : (labels) => !inSet(labels);
    }
    case 'Exists':
      return (labels) => Object.hasOwn(labels, key);
    case 'DoesNotExist':
      return (labels) => !Object.hasOwn(labels, key);
    case 'Match': {
      if (req.regexValue === undefined) throw new SelectorError(`${field}.regexValue`, 'Match needs regexValue');
      const re = matchRegex(req.regexValue, `${field}.regexValue`);
      return (labels) => Object.hasOwn(labels, key) && re.test(labels[key] as string);
    }
    default:
      throw new SelectorError(`${field}.operator`, `unknown operator ${JSON.stringify(operator)}`);
  }
}

/**
 * compileSelector turns a selector into a matcher, throwing SelectorError (naming `field`) when it
 * cannot be used. An absent or empty selector matches everything, as in Kubernetes.
 */
export function compileSelector(selector: LabelSelector | undefined, field = 'selector'): LabelMatcher {
  if (!selector) return () => true;
  const parts: LabelMatcher[] = Object.entries(selector.matchLabels ?? {}).map(
    ([key, value]) => (labels) => Object.hasOwn(labels, key) && labels[key] === value,
  );
  (selector.matchExpressions ?? []).forEach((req, i) => {
    parts.push(compileRequirement(req, `${field}.matchExpressions[${i}]`));
  });
  return (labels) => parts.every((match) => match(labels));
}

/** matchesSelector is compileSelector for one use. */
export function matchesSelector(selector: LabelSelector | undefined, labels: Labels): boolean {
  return compileSelector(selector)(labels);
}

/** isEmptySelector tells whether a selector selects everything. */
export function isEmptySelector(selector: LabelSelector | undefined): boolean {
  return (
    !selector ||
    (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0)
  );
}
