import { describe, expect, it } from 'vitest';
import { closest, editDistance, oneOf, parseFlags, UsageError } from './cli.js';

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
