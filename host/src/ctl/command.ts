/**
 * What a heraldctl command is: its help, its flags and what it runs. The dispatcher (cli.ts) holds
 * one entry per command; flags every command shares are here, as are typed reads of parsed values.
 */
import { oneOf, UsageError, type FlagTable } from '@herald/shared/cli';

export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface Command {
  /** One line for `heraldctl --help`. */
  summary: string;
  /** `heraldctl <cmd> --help`. */
  usage: string;
  flags: FlagTable;
  run(values: Values, positionals: string[]): Promise<void>;
}

/** The host cluster: --kubeconfig (alias --host-kubeconfig, kept for existing scripts) and --context. */
export const HOST_FLAGS = {
  kubeconfig: { type: 'string' },
  'host-kubeconfig': { type: 'string' },
  context: { type: 'string' },
} satisfies FlagTable;

/** A member cluster: --member-kubeconfig and --member-context (default KUBECONFIG and its current context). */
export const MEMBER_FLAGS = {
  'member-kubeconfig': { type: 'string' },
  'member-context': { type: 'string' },
} satisfies FlagTable;

export const OUTPUT_FLAGS = { output: { type: 'string', short: 'o' } } satisfies FlagTable;

export const HOST_HELP = `  --kubeconfig FILE   the host cluster (default: KUBECONFIG, else ~/.kube/config); --host-kubeconfig is the same
  --context NAME      a context of that kubeconfig (default: its current context)`;
export const MEMBER_HELP = `  --member-kubeconfig FILE  the member cluster (default: KUBECONFIG, else ~/.kube/config)
  --member-context NAME     a context of that kubeconfig (default: its current context)`;

export const str = (v: Values, name: string): string | undefined => {
  const x = v[name];
  return typeof x === 'string' ? x : undefined;
};
export const list = (v: Values, name: string): string[] => {
  const x = v[name];
  return Array.isArray(x) ? x.filter((e): e is string => typeof e === 'string') : [];
};
export const bool = (v: Values, name: string): boolean => v[name] === true;

const OUTPUTS = ['yaml', 'json'] as const;
export type Output = (typeof OUTPUTS)[number];

/** -o yaml|json, or undefined for the command's table. */
export function outputOf(v: Values): Output | undefined {
  const o = str(v, 'output');
  return o === undefined ? undefined : oneOf('output', o, OUTPUTS);
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The one NAME a command takes, checked to be a DNS label. */
export function nameArg(positionals: string[], what = 'NAME'): string {
  const [name, ...extra] = positionals;
  if (name === undefined) throw new UsageError(`${what} is required`);
  if (!DNS_LABEL.test(name)) throw new UsageError(`${what} ${JSON.stringify(name)} must be a DNS label (lower-case letters, digits and -, at most 63)`);
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  return name;
}

export const isDnsLabel = (s: string): boolean => DNS_LABEL.test(s);
