import { describe, expect, it } from 'vitest';
import { closest, editDistance, loadKubeconfigInto, oneOf, parseFlags, UsageError } from './cli.js';

const OPTIONS = { label: { type: 'string', multiple: true }, 'log-level': { type: 'string' }, force: { type: 'boolean' } } as const;

describe('parseFlags', () => {
  it('parses known flags and positionals', () => {
    const { values, positionals } = parseFlags(['join', 'a', '--label', 'x=y', '--force'], OPTIONS, true);
    expect(values).toEqual({ label: ['x=y'], force: true });
    expect(positionals).toEqual(['join', 'a']);
  });
  it.each([
    [['--lable', 'x'], 'unknown flag --lable (did you mean --label?)'],
    [['--zzzzzz'], 'unknown flag --zzzzzz'],
    [['--label'], 'flag --label needs a value'],
    [['--force=yes'], 'flag --force takes no value'],
    [['stray'], 'unexpected argument stray'],
  ])('%j: %s', (args, message) => {
    expect(() => parseFlags(args, OPTIONS)).toThrow(new UsageError(message));
  });
});

describe('closest and oneOf', () => {
  it('measures edits', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
  it('suggests only a near candidate', () => {
    expect(closest('--kubconfig', ['--kubeconfig', '--context'])).toBe('--kubeconfig');
    expect(closest('--x', ['--kubeconfig'])).toBeUndefined();
  });
  it('lists the accepted values', () => {
    expect(oneOf('log-level', 'info', ['info', 'debug'])).toBe('info');
    expect(() => oneOf('log-level', 'verbos', ['info', 'debug', 'verbose'])).toThrow('--log-level "verbos" is not one of info, debug, verbose (did you mean verbose?)');
  });
});

describe('loadKubeconfigInto', () => {
  const loader = (fail?: string): { loaded: string[]; loadFromFile(p: string): void; loadFromDefault(): void } => ({
    loaded: [],
    loadFromFile(p) {
      if (fail) throw new Error(`${fail}\n    at stack frame`);
      this.loaded.push(p);
    },
    loadFromDefault() {
      this.loaded.push('default');
    },
  });
  it('loads the named file, or the default without one', () => {
    const kc = loader();
    loadKubeconfigInto(kc, import.meta.filename);
    loadKubeconfigInto(kc, undefined);
    expect(kc.loaded).toEqual([import.meta.filename, 'default']);
  });
  it('names the flag and the file it cannot read, on one line', () => {
    expect(() => loadKubeconfigInto(loader(), '/nope', 'member-kubeconfig')).toThrow(new UsageError('--member-kubeconfig /nope: no such file'));
    expect(() => loadKubeconfigInto(loader('bad YAML'), import.meta.filename)).toThrow(new UsageError(`--kubeconfig ${import.meta.filename}: bad YAML`));
  });
});
