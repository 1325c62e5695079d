/**
 * amtool's matchers (`alertname=Disk`, `severity!=info`, `instance=~"db-.*"`) and Herald's label
 * selectors, both ways (pure). Herald has no negative regex, so `!~` is refused with what to write
 * instead; `name=` (empty) means the label is absent, as Alertmanager treats an empty value.
 */
import type { LabelSelector, LabelSelectorRequirement } from '@herald/shared';
import { fullMatchRegex, RegexError } from '@herald/shared/regex';
import { UsageError } from '@herald/shared/cli';

type Operator = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  op: Operator;
  value: string;
}

// Label keys as Kubernetes and Prometheus write them (a prefix with dots and a slash allowed).
const MATCHER = /^([A-Za-z_][A-Za-z0-9_.\-/]*)\s*(=~|!~|!=|=)\s*(.*)$/s;
const BARE = /^[A-Za-z0-9_.:-]+$/;

function unquote(raw: string, whole: string): string {
  if (!raw.startsWith('"')) return raw;
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value === 'string') return value;
  } catch {
    // fall through to the error
  }
  throw new UsageError(`matcher ${whole}: the quoted value does not end with an unescaped "`);
}

/**
 * One matcher as amtool reads it. As in amtool, the first argument may be a bare alert name
 * (`heraldctl silence add DiskFull` is `alertname=DiskFull`).
 */
export function parseMatcher(text: string, first = false): Matcher {
  const m = MATCHER.exec(text.trim());
  if (!m) {
    if (first && BARE.test(text)) return { name: 'alertname', op: '=', value: text };
    throw new UsageError(`matcher ${JSON.stringify(text)} is not name=value, name!=value, name=~regex or name!~regex`);
  }
  const [, name = '', op = '=', raw = ''] = m;
  return { name, op: op as Operator, value: unquote(raw, text) };
}

const requirement = (key: string, operator: LabelSelectorRequirement['operator'], extra: Partial<LabelSelectorRequirement> = {}): LabelSelectorRequirement => ({ key, operator, ...extra });

/** A regex the agents will run, checked here so the mistake is the user's, not a status condition's. */
function checkRegex(m: Matcher, shown: string): void {
  try {
    fullMatchRegex(m.value, m.name);
  } catch (err) {
    if (err instanceof RegexError) throw new UsageError(`matcher ${shown}: ${err.reason}`);
    throw err;
  }
}

/** One matcher other than name=value: the selector requirement it is. */
function requirementOf(m: Matcher): LabelSelectorRequirement {
  const shown = `${m.name}${m.op}${JSON.stringify(m.value)}`;
  if (m.op === '!~') throw new UsageError(`matcher ${shown}: Herald selectors have no negative regex; list the values with ${m.name}!=value for each, or use =~`);
  if (m.op === '=~') {
    checkRegex(m, shown);
    return requirement(m.name, 'Match', { regexValue: m.value });
  }
  if (m.op === '!=') return m.value === '' ? requirement(m.name, 'Exists') : requirement(m.name, 'NotIn', { values: [m.value] });
  return requirement(m.name, 'DoesNotExist');
}

/** Matchers to the selector a Silence's `matcher` holds; every matcher must hold (AND). */
export function selectorOf(matchers: readonly Matcher[]): LabelSelector {
  if (matchers.length === 0) throw new UsageError('at least one matcher is required (a silence without one would mute everything)');
  const matchLabels: Record<string, string> = {};
  const matchExpressions: LabelSelectorRequirement[] = [];
  for (const m of matchers) {
    if (m.op !== '=' || m.value === '') {
      matchExpressions.push(requirementOf(m));
      continue;
    }
    const had = matchLabels[m.name];
    if (had !== undefined && had !== m.value) throw new UsageError(`matchers ${m.name}="${had}" and ${m.name}="${m.value}" can never both hold`);
    matchLabels[m.name] = m.value;
  }
  return { ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}), ...(matchExpressions.length > 0 ? { matchExpressions } : {}) };
}

const q = (s: string): string => JSON.stringify(s);

/** A selector in amtool's words where it has them (`a="b"`, `a!="b"`, `a=~"re"`), else kubectl's (`a in (x,y)`). */
export function selectorText(selector: LabelSelector | undefined): string[] {
  const labels = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${q(v)}`);
  const expressions = (selector?.matchExpressions ?? []).map((r) => {
    const values = r.values ?? [];
    switch (r.operator) {
      case 'Match':
        return `${r.key}=~${q(r.regexValue ?? '')}`;
      case 'Exists':
        return `${r.key}!=""`;
      case 'DoesNotExist':
        return `${r.key}=""`;
      case 'In':
        return values.length === 1 ? `${r.key}=${q(values[0] ?? '')}` : `${r.key} in (${values.join(',')})`;
      case 'NotIn':
        return values.length === 1 ? `${r.key}!=${q(values[0] ?? '')}` : `${r.key} notin (${values.join(',')})`;
      default:
        return `${r.key} ${String(r.operator)}`;
    }
  });
  return [...labels, ...expressions];
}

/** The labels a query names: only `name=value` matchers, the labels of an alert to test silences against. */
export function labelsOf(matchers: readonly Matcher[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const m of matchers) {
    if (m.op !== '=') throw new UsageError(`silence query takes labels (name=value), the alert to check; ${m.name}${m.op}… is not one`);
    labels[m.name] = m.value;
  }
  return labels;
}
