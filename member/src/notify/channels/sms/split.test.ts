import { describe, expect, it } from 'vitest';
import { charLength, splitChars } from './split.js';

describe('splitChars', () => {
  const zh = '告';
  const smile = '😀'; // one character, two UTF-16 code units
  it.each<{ name: string; text: string; max: number; want: string[] }>([
    { name: 'empty text', text: '', max: 5, want: [''] },
    { name: 'Chinese exactly at the cap', text: zh.repeat(35), max: 35, want: [zh.repeat(35)] },
    { name: 'Chinese one over the cap', text: zh.repeat(36), max: 35, want: [zh.repeat(35), zh] },
    { name: 'emoji count as one character and are never halved', text: `${smile.repeat(3)}a`, max: 2, want: [smile.repeat(2), `${smile}a`] },
    { name: 'an emoji straddling the cap moves whole', text: `ab${smile}`, max: 2, want: ['ab', smile] },
    { name: 'cuts after the last line break that fits', text: '磁盘\n内存告警', max: 4, want: ['磁盘\n', '内存告警'] },
    { name: 'else after the last space', text: 'node 1 磁盘满', max: 7, want: ['node 1 ', '磁盘满'] },
    { name: 'else hard at the cap', text: '一二三四五六七', max: 3, want: ['一二三', '四五六', '七'] },
  ])('$name', ({ text, max, want }) => {
    const parts = splitChars(text, max);
    expect(parts).toEqual(want);
    expect(parts.join('')).toBe(text);
    expect(parts.every((p) => charLength(p) <= max)).toBe(true);
  });

  it('keeps every character, in order, over a long mixed text', () => {
    const text = Array.from({ length: 500 }, (_, i) => (i % 7 === 0 ? `${smile} ` : i % 11 === 0 ? '\n' : '集群')).join('');
    const parts = splitChars(text, 20);
    expect(parts.join('')).toBe(text);
    expect(parts.every((p) => charLength(p) <= 20 && charLength(p) > 0)).toBe(true);
  });

  it('refuses a cap that is not a positive integer', () => {
    expect(() => splitChars('abc', 0)).toThrow(RangeError);
  });
});
