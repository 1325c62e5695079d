/**
 * Flag parsing for Herald's command-line tools (herald-agent, herald-host, heraldctl): node's
 * parseArgs, with usage errors that name the flag and the closest known one, instead of its
 * exception text and stack. Pure apart from `usageExit`, which prints one line and exits 2.
 */
import { existsSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in how a tool was called (exit 2), as opposed to a failure while it runs. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Levenshtein distance: the fewest single-character edits from a to b. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** The candidate nearest to `word`, if it is near enough to be what was meant (a third of its length, at least 2). */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of candidates) {
    const d = editDistance(word, name);
    if (best === undefined || d < best.d) best = { name, d };
  }
  return best && best.d <= Math.max(2, Math.floor(word.length / 3)) ? best.name : undefined;
}

/** `value` if it is one of `choices`, else a UsageError listing them (and the likely one). */
export function oneOf<const T extends readonly string[]>(flag: string, value: string, choices: T): T[number] {
  if ((choices as readonly string[]).includes(value)) return value;
  const near = closest(value, choices);
  throw new UsageError(`--${flag} ${JSON.stringify(value)} is not one of ${choices.join(', ')}${near ? ` (did you mean ${near}?)` : ''}`);
}

export type FlagTable = NonNullable<ParseArgsConfig['options']>;
type Token = { kind: 'option'; name: string; rawName: string; value: string | undefined; inlineValue: boolean | undefined } | { kind: 'positional'; value: string } | { kind: 'option-terminator' };

/** Checks one option token against the known options; the problem in words, or nothing. */
function tokenProblem(token: Token, options: FlagTable): string | undefined {
  if (token.kind !== 'option') return undefined;
  const def = options[token.name];
  if (!def) {
    const long = Object.keys(options).map((n) => `--${n}`);
    const near = token.rawName.startsWith('--') ? closest(token.rawName, long) : undefined;
    return `unknown flag ${token.rawName}${near ? ` (did you mean ${near}?)` : ''}`;
  }
  if (def.type === 'string' && token.value === undefined) return `flag --${token.name} needs a value`;
  if (def.type === 'boolean' && token.inlineValue) return `flag --${token.name} takes no value`;
  return undefined;
}

/**
 * parseArgs with Herald's errors: throws UsageError naming an unknown flag (and the nearest known
 * one), a missing value, or a stray positional when none are allowed.
 */
export function parseFlags<const O extends FlagTable>(
  args: readonly string[],
  options: O,
  allowPositionals = false,
): ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: true }>> {
  // Lenient first, to see every token and say what is wrong in our words.
  const loose = parseArgs({ args: [...args], options, strict: false, allowPositionals: true, tokens: true });
  for (const token of loose.tokens as Token[]) {
    const problem = tokenProblem(token, options);
    if (problem) throw new UsageError(problem);
    if (token.kind === 'positional' && !allowPositionals) throw new UsageError(`unexpected argument ${token.value}`);
  }
  try {
    // Positionals were checked above.
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (err) {
    // What the lenient pass lets through (an option's value that looks like a flag): Node's words, one line.
    throw new UsageError((err as Error).message.split('\n')[0] ?? 'bad arguments');
  }
}

/** An error's message on one line (a file system error's without its stack). */
export const oneLine = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';

/**
 * Loads the kubeconfig file a flag names into `kc`, or with no file the default (KUBECONFIG,
 * ~/.kube/config, a pod's ServiceAccount); what cannot be read is a UsageError naming the flag.
 * Takes the KubeConfig made by the caller, so the agent can keep importing client-node lazily.
 */
export function loadKubeconfigInto(kc: { loadFromFile(path: string): void; loadFromDefault(): void }, path: string | undefined, flag = 'kubeconfig'): void {
  if (path !== undefined && !existsSync(path)) throw new UsageError(`--${flag} ${path}: no such file`);
  try {
    if (path !== undefined) kc.loadFromFile(path);
    else kc.loadFromDefault();
  } catch (err) {
    throw new UsageError(`${path !== undefined ? `--${flag} ${path}` : 'KUBECONFIG'}: ${oneLine(err)}`);
  }
}

/** Prints `tool: message` and `See '<help>'.` on stderr and exits 2, as kubectl does. */
export function usageExit(tool: string, message: string, help = `${tool} --help`): never {
  process.stderr.write(`${tool}: ${message}\nSee '${help}'.\n`);
  process.exit(2);
}
