import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, mergePage, type AgentEntry, type MemberList } from './history.js';

const entry = (id: number, at: number): AgentEntry => ({ id, at: new Date(at * 1000).toISOString(), outcome: 'delivered' });
/** A member's list as its agent would answer: newest first, below `before`, at most `limit`. */
const list = (cluster: string, all: AgentEntry[], limit: number, before?: number): MemberList => ({
  cluster,
  entries: all.filter((e) => before === undefined || e.id < before).slice(0, limit),
  asked: limit,
});

describe('mergePage', () => {
  // a's clock runs ahead of b's: ids order each member, times order the merge.
  const a = [entry(9, 100), entry(8, 80), entry(7, 60), entry(6, 40)];
  const b = [entry(30, 90), entry(29, 70), entry(28, 10)];

  it('merges newest first, names the cluster, and pages without skipping or repeating', () => {
    const seen: string[] = [];
    let cursor = undefined as ReturnType<typeof decodeCursor> | undefined;
    for (let page = 0; page < 10; page++) {
      const c = cursor && !('error' in cursor) ? cursor : undefined;
      const lists = [list('a', a, 3, c?.before['a']), list('b', b, 3, c?.before['b'])].filter((l) => !c?.done.includes(l.cluster));
      const p = mergePage(lists, 3, c);
      seen.push(...p.entries.map((e) => `${e.cluster}${e.id}`));
      if (!p.cursor) break;
      cursor = decodeCursor(p.cursor);
    }
    expect(seen).toEqual(['a9', 'b30', 'a8', 'b29', 'a7', 'a6', 'b28']);
  });

  it('lists a member it could not ask as missing, and keeps its place for the next page', () => {
    const p = mergePage([list('a', a, 2), { cluster: 'b', error: 'connection refused' }], 2, { before: { b: 29 }, done: [] });
    expect(p.missing).toEqual([{ cluster: 'b', error: 'connection refused' }]);
    expect(p.entries.map((e) => e.id)).toEqual([9, 8]);
    const next = decodeCursor(p.cursor ?? '');
    expect(next).toEqual({ before: { a: 8, b: 29 }, done: [] });
  });

  it('gives no cursor when every list is done', () => {
    expect(mergePage([list('a', a, 10), list('b', b, 10)], 10).cursor).toBeUndefined();
    expect(mergePage([], 10).cursor).toBeUndefined();
  });
});

describe('decodeCursor', () => {
  it('takes back what it gave out, and refuses anything else', () => {
    expect(decodeCursor(encodeCursor({ before: { a: 3 }, done: ['b'] }))).toEqual({ before: { a: 3 }, done: ['b'] });
    for (const bad of ['', 'not base64!', Buffer.from('[1]').toString('base64url'), encodeCursor({ before: { a: -1 }, done: [] }), 'x'.repeat(20_000)]) {
      expect(decodeCursor(bad), bad.slice(0, 20)).toEqual({ error: 'cursor is not one this API gave out' });
    }
  });
});
