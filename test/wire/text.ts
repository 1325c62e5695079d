/** Long multi-byte texts for splitting tests, and a renderer that returns them. */
import type { Renderer } from '../../member/src/notify/notifier.js';

/**
 * `lines` numbered Chinese lines, each 20 code points with its line break, then one unbroken run
 * of `run` characters (Chinese and an emoji every 7th) so a hard cut is needed as well.
 */
export function chineseText(lines: number, run = 0): string {
  let text = '';
  for (let i = 0; i < lines; i++) text += `第${String(i).padStart(4, '0')}条告警：节点磁盘使用率过高！\n`;
  for (let i = 0; i < run; i++) text += i % 7 === 6 ? '😀' : '警';
  return text;
}

/** `n` Chinese characters (3 UTF-8 bytes, 1 code point, 1 UTF-16 unit each). */
export const han = (n: number): string => '告'.repeat(n);

/** A renderer that answers `title` for title/subject kinds and `body` for the rest. */
export function textRenderer(body: string, title = '[FIRING:2] 磁盘告警 (east)'): Renderer {
  return { render: (kind) => (kind === 'title' || kind === 'subject' ? title : body) };
}

/** True when no chunk starts or ends inside a surrogate pair. */
export function wholeCodePoints(chunks: readonly string[]): boolean {
  return chunks.every((c) => c.length === 0 || (!/^[\uDC00-\uDFFF]/.test(c) && !/[\uD800-\uDBFF]$/.test(c)));
}
