import { describe, expect, it } from 'vitest';
import { sizeOf, splitMessage, utf8Length } from './split.js';

const encoder = new TextEncoder();
const strict = new TextDecoder('utf-8', { fatal: true });

/** True when the chunk is whole code points: it survives a strict UTF-8 round trip unchanged. */
function wellFormed(chunk: string): boolean {
  return strict.decode(encoder.encode(chunk)) === chunk;
}

describe('splitMessage', () => {
  const zh = '中'; // 3 bytes
  const smile = '😀'; // 4 bytes, a surrogate pair
  it.each<{ name: string; text: string; max: number; suffix?: number; want: string[] }>([
    { name: 'empty text', text: '', max: 10, want: [''] },
    { name: 'fits', text: 'hello', max: 10, want: ['hello'] },
    { name: 'Chinese exactly at the limit', text: zh.repeat(10), max: 30, want: [zh.repeat(10)] },
    { name: 'Chinese one byte over', text: zh.repeat(10), max: 29, want: [zh.repeat(9), zh] },
    { name: 'Chinese two bytes short of a character', text: zh.repeat(4), max: 10, want: [zh.repeat(3), zh] },
    { name: 'lines exactly at the limit keep their newline', text: 'line1\nline2\nline3', max: 12, want: ['line1\nline2\n', 'line3'] },
    { name: 'cuts at the last line break that fits', text: `${zh.repeat(3)}\n${zh.repeat(3)}`, max: 18, want: [`${zh.repeat(3)}\n`, zh.repeat(3)] },
    { name: 'Chinese lines at the limit', text: `${zh.repeat(3)}\n${zh.repeat(3)}`, max: 19, want: [`${zh.repeat(3)}\n${zh.repeat(3)}`] },
    { name: 'emoji are never halved', text: `a${smile}b`, max: 4, want: ['a', smile, 'b'] },
    { name: 'emoji exactly at the limit', text: smile.repeat(3), max: 8, want: [smile.repeat(2), smile] },
    { name: 'emoji one byte short', text: smile.repeat(3), max: 7, want: [smile, smile, smile] },
    { name: 'a long line without breaks', text: 'x'.repeat(10), max: 4, want: ['xxxx', 'xxxx', 'xx'] },
    { name: 'a long line cuts after a space', text: 'ab cd ef', max: 5, want: ['ab ', 'cd ef'] },
    { name: 'a line break is preferred to a space', text: 'a b\ncd ef', max: 7, want: ['a b\n', 'cd ef'] },
    { name: 'reserved suffix bytes', text: 'abcdefgh', max: 8, suffix: 4, want: ['abcd', 'efgh'] },
  ])('$name', ({ text, max, suffix, want }) => {
    const chunks = splitMessage(text, max, { suffixBytes: suffix });
    expect(chunks).toEqual(want);
    expect(chunks.join('')).toBe(text);
  });

  it('splits a long line of Chinese for WeChat at 2048 bytes', () => {
    const text = zh.repeat(1500); // 4500 bytes, no breaks
    const chunks = splitMessage(text, 2048);
    expect(chunks.map(utf8Length)).toEqual([2046, 2046, 408]);
    expect(chunks.join('')).toBe(text);
  });

  it.each([
    { max: 3, suffix: 0 },
    { max: 10, suffix: 7 },
    { max: 4.5, suffix: 0 },
    { max: Number.NaN, suffix: 0 },
  ])('refuses $max bytes less $suffix: no room for a character', ({ max, suffix }) => {
    expect(() => splitMessage('abc', max, { suffixBytes: suffix })).toThrow(RangeError);
  });

  it('utf8Length agrees with TextEncoder', () => {
    for (const s of ['', 'a', 'é', zh, smile, `a${zh}${smile}\n`]) expect(utf8Length(s)).toBe(encoder.encode(s).length);
  });

  it('keeps its invariants on random text', () => {
    // A fixed-seed generator (mulberry32) so a failure reproduces.
    let seed = 0x5eed;
    const random = (): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const alphabet = ['a', 'b', ' ', '\n', 'é', zh, '文', smile, '👍🏽', '\u0301', '\t'];
    for (let run = 0; run < 2000; run++) {
      const length = Math.floor(random() * 120);
      let text = '';
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)] ?? '';
      const max = 4 + Math.floor(random() * 40);
      const chunks = splitMessage(text, max);
      const context = JSON.stringify({ text, max, chunks });
      expect(chunks.join(''), context).toBe(text);
      for (const [i, chunk] of chunks.entries()) {
        expect(utf8Length(chunk), context).toBeLessThanOrEqual(max);
        expect(wellFormed(chunk), context).toBe(true);
        if (chunks.length > 1) expect(chunk.length, context).toBeGreaterThan(0);
        // A cut made where a line break fit is right after that break.
        if (i < chunks.length - 1 && chunk.includes('\n')) expect(chunk.endsWith('\n'), context).toBe(true);
      }
    }
  });
});

describe('splitMessage in characters', () => {
  it('counts code points or UTF-16 units instead of bytes when asked', () => {
    const text = `${'告警'.repeat(5)}😀😀`;
    expect([sizeOf(text, 'utf8'), sizeOf(text, 'codepoint'), sizeOf(text, 'utf16')]).toEqual([38, 12, 14]);
    expect(splitMessage(text, 12, { unit: 'codepoint' })).toEqual([text]);
    expect(splitMessage(text, 12, { unit: 'utf16' })).toEqual([`${'告警'.repeat(5)}😀`, '😀']);
    // 11 code points: the pair is never cut, nothing is lost.
    expect(splitMessage(text, 11, { unit: 'codepoint' })).toEqual([`${'告警'.repeat(5)}😀`, '😀']);
  });
});
