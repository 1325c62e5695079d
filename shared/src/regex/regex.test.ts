import { describe, expect, it } from 'vitest';
import { RegexError, fullMatchRegex, replaceAllString, searchRegex } from './regex.js';
import { CATASTROPHIC, EVIL_INPUT } from '../../../test/support/redos.js';

const NOTE = '(patterns use RE2 syntax, as Alertmanager and Notification Manager do)';

function errorOf(compile: () => unknown): RegexError {
  try {
    compile();
  } catch (err) {
    expect(err).toBeInstanceOf(RegexError);
    return err as RegexError;
  }
  throw new Error('expected a RegexError');
}

describe('fullMatchRegex and searchRegex', () => {
  it.each<[string, string, string, boolean, boolean]>([
    // pattern, value, what: full match, search
    ['a literal', 'team-a', 'team-a', true, true],
    ['anchored to the whole value', 'Pod', 'KubePodCrashLooping', false, true],
    ['alternation is anchored as a whole', 'team-b|team', 'team-a', false, true],
    ['a shorter alternative does not stop a whole match', 'a|ab', 'ab', true, true],
    ['a group', 'team-(a|b|c).*', 'team-b-payments', true, true],
    ['Go named groups', '(?P<team>team-[a-z])', 'team-x', true, true],
    ['inline flags', '(?i)kube.*', 'KubePod', true, true],
    ['POSIX classes', '[[:alpha:]]+', 'abc', true, true],
    ['quoted text', '\\Qa.b\\E', 'a.b', true, true],
    ['quoted text is literal', '\\Qa.b\\E', 'axb', false, false],
    ['Unicode', '磁盘.*', '磁盘已满', true, true],
    ['. is a whole character', '^.$', '😀', true, true],
    ['$ is the end of the text, not of a line', 'a$', 'a\n', false, false],
  ])('%s', (_name, pattern, value, full, search) => {
    expect(fullMatchRegex(pattern, 'f').test(value)).toBe(full);
    expect(searchRegex(pattern, 'f').test(value)).toBe(search);
  });

  it('runs in linear time: the catastrophic pattern on a long input returns', () => {
    // On RegExp these take far longer than the test's timeout: the normal timeout is the assertion.
    expect(fullMatchRegex(CATASTROPHIC, 'f').test(EVIL_INPUT)).toBe(false);
    expect(searchRegex(CATASTROPHIC, 'f').test(EVIL_INPUT)).toBe(false);
    expect(searchRegex('(x+x+)+y', 'f').test('x'.repeat(5000))).toBe(false);
    expect(fullMatchRegex(CATASTROPHIC, 'f').test('a'.repeat(100))).toBe(true);
  });

  it('keeps its source', () => {
    expect(fullMatchRegex('a.*', 'f').source).toBe('a.*');
  });
});

describe('errors name the field', () => {
  it.each<[string, string]>([
    ['(?=a)b', 'lookahead (?=…)'],
    ['^(?!system:)', 'negative lookahead (?!…)'],
    ['(?<=a)b', 'lookbehind (?<=…)'],
    ['(?<!a)b', 'negative lookbehind (?<!…)'],
    ['(a)\\1', 'a backreference (\\1 …)'],
    ['(?<x>a)\\k<x>', 'a named backreference (\\k<name>)'],
    ['\\u0041', 'the escape \\uXXXX (write \\x{XXXX})'],
    ['\\cA', 'the control escape \\cX (write \\x{…})'],
  ])('%s: valid JavaScript, not RE2 (%s)', (pattern, what) => {
    const err = errorOf(() => fullMatchRegex(pattern, 'spec.alertSelector.matchExpressions[0].regexValue'));
    expect(err.field).toBe('spec.alertSelector.matchExpressions[0].regexValue');
    expect(err.message).toBe(`spec.alertSelector.matchExpressions[0].regexValue: unsupported regular expression syntax: ${what} is not supported ${NOTE}`);
  });

  it.each<[string, string]>([
    ['a{1001}', 'repetition counts above 1000 (also when nested) are not supported'],
    ['[^]', 'the empty classes [] and [^] are not supported (write (?s:.) for any character)'],
    ['\\e', 'invalid escape sequence: `\\e`'],
  ])('%s: other JavaScript-only syntax says so too', (pattern, reason) => {
    expect(errorOf(() => searchRegex(pattern, 'spec.event.messageRegex')).message).toBe(
      `spec.event.messageRegex: unsupported regular expression syntax: ${reason} ${NOTE}`,
    );
  });

  it.each<[string, string]>([
    ['(', 'missing closing ): `(`'],
    ['a)', 'unexpected ): `a)`'],
    ['*', 'missing argument to repetition operator: `*`'],
    ['[', 'missing closing ]: `[`'],
  ])('%s: invalid everywhere', (pattern, reason) => {
    const err = errorOf(() => searchRegex(pattern, 'spec.audit.userRegex'));
    expect(err.message).toBe(`spec.audit.userRegex: invalid regular expression: ${reason}`);
    expect(err.reason).toBe(`invalid regular expression: ${reason}`);
    // As RegExp's errors were, so callers that expected a SyntaxError still get one.
    expect(err).toBeInstanceOf(SyntaxError);
  });

  it('a cached pattern is still refused the same way, and a good one compiled once keeps working', () => {
    for (let i = 0; i < 3; i++) expect(() => searchRegex('(?=x)', 'f')).toThrow(/lookahead/);
    // More patterns than the cache holds: the evicted ones compile again when asked for.
    for (let i = 0; i < 1100; i++) expect(fullMatchRegex(`v${i % 600}`, 'f').test(`v${i % 600}`)).toBe(true);
  });
});

describe('replaceAllString is Go regexp.ReplaceAllString', () => {
  it.each<[string, string, string, string]>([
    // Go's own documentation examples.
    ['a(x*)b', '-ab-axxb-', 'T', '-T-T-'],
    ['a(x*)b', '-ab-axxb-', '$1', '--xx-'],
    ['a(x*)b', '-ab-axxb-', '$1W', '---'],
    ['a(x*)b', '-ab-axxb-', '${1}W', '-W-xxW-'],
    ['a(?P<x>x*)b', '-ab-axxb-', '${x}W', '-W-xxW-'],
    ['a(?P<x>x*)b', '-ab-axxb-', '$x', '--xx-'],
    ['(?P<first>\\w+)\\s(?P<last>\\w+)', 'Alan Turing', '${last} ${first}', 'Turing Alan'],
    // JavaScript-style named groups name a group too.
    ['(?<n>\\d+)', 'a1b22', '<${n}>', 'a<1>b<22>'],
    ['(\\w+)-(\\d+)', 'web-1 db-2', '$2:$1', '1:web 2:db'],
    ['(\\w+)-(\\d+)', 'web-1', '${2}x', '1x'],
    // $0 is the match; $$ is a dollar; a malformed reference is literal text.
    ['b+', 'abbc', '[$0]', 'a[bb]c'],
    ['b', 'abc', '$$', 'a$c'],
    ['b', 'abc', '$', 'a$c'],
    ['b', 'abc', '${1', 'a${1c'],
    ['b', 'abc', '$-', 'a$-c'],
    ['b', 'abc', '$&', 'a$&c'],
    // References to nothing expand to nothing: out of range, unknown names, leading zeros, unmatched groups.
    ['(b)', 'abc', '[$2]', 'a[]c'],
    ['(b)', 'abc', '[$nope]', 'a[]c'],
    ['(b)', 'abc', '[$01]', 'a[]c'],
    ['(x)?b', 'abc', '[$1]', 'a[]c'],
    // An empty match right after a match is not replaced again (JavaScript would: -a--c-).
    ['b*', 'abc', '-', '-a-c-'],
    ['', 'ab', '-', '-a-b-'],
    // Whole characters: an empty match never splits a surrogate pair.
    ['', '😀x', '-', '-😀-x-'],
    ['.', '😀x', '[$0]', '[😀][x]'],
    // ^ is the start of the text, also for later matches.
    ['^a', 'aaa', 'X', 'Xaa'],
    ['no', 'nothing here', 'X', 'Xthing here'],
    ['z', 'no match', 'X', 'no match'],
  ])('%s on %j with %j', (pattern, value, template, want) => {
    expect(replaceAllString(pattern, 'f', value, template)).toBe(want);
  });

  it('runs in linear time on the catastrophic pattern', () => {
    expect(replaceAllString(CATASTROPHIC, 'f', EVIL_INPUT, 'X')).toBe(EVIL_INPUT);
    expect(replaceAllString('(a+)+b', 'f', EVIL_INPUT.replace('b', 'c'), 'X')).toBe(EVIL_INPUT.replace('b', 'c'));
  });

  it('refuses what RE2 does not support, naming the field', () => {
    expect(() => replaceAllString('(a)\\1', 'reReplaceAll', 'aa', 'x')).toThrow(`reReplaceAll: unsupported regular expression syntax: a backreference (\\1 …) is not supported ${NOTE}`);
  });
});

describe('replaceAllString bounds', () => {
  it('replaces at most REPLACE_MAX_MATCHES matches and searches only the first REPLACE_MAX_CHARS characters', () => {
    expect(replaceAllString('a', 'f', 'a'.repeat(1500), 'b')).toBe(`${'b'.repeat(1000)}${'a'.repeat(500)}`);
    const long = `${'-'.repeat(8192)}a`;
    expect(replaceAllString('a', 'f', long, 'b')).toBe(long);
    // The pattern that is quadratic on a long run of x stays bounded (and still correct within them).
    expect(replaceAllString('x*y|x', 'f', 'x'.repeat(20_000), 'z')).toBe(`${'z'.repeat(1000)}${'x'.repeat(19_000)}`);
  });
});
