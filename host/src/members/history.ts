/**
 * Delivery history across members (pure): each agent lists its own newest first, by its store's
 * entry id; the host merges the members' lists by time and pages through them with a cursor that
 * holds, per member, the id to continue below. Each member's part of a page is a prefix of its own
 * list, so paging neither skips nor repeats an entry, whatever the members' clocks say. A member
 * that could not be asked keeps its place: the next page asks it again from there.
 */

/** One entry as an agent's /api/v2/history lists it. */
export interface AgentEntry {
  id: number;
  at: string;
  receiver?: string;
  channel?: string;
  outcome: string;
  [field: string]: unknown;
}

export interface HistoryPage {
  /** Newest first; each names its cluster. */
  entries: (AgentEntry & { cluster: string })[];
  /** Members that could not be asked this time, with why. */
  missing: { cluster: string; error: string }[];
  /** Pass back for the next page; absent when every member's list is done. */
  cursor?: string;
}

export interface Cursor {
  /** Per member: continue with entries whose id is below this. */
  before: Record<string, number>;
  /** Members whose list has nothing more. */
  done: string[];
}

/** Largest cursor accepted: a few hundred members' positions. */
const MAX_CURSOR_CHARS = 16_384;

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

/** The cursor a caller passed back, or why it is not one (never trusted further than its shape). */
export function decodeCursor(text: string): Cursor | { error: string } {
  const bad = { error: 'cursor is not one this API gave out' };
  if (text.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(text)) return bad;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return bad;
  }
  if (typeof value !== 'object' || value === null) return bad;
  const { before, done } = value as { before?: unknown; done?: unknown };
  if (typeof before !== 'object' || before === null || Array.isArray(before)) return bad;
  if (!Object.values(before).every((v) => Number.isSafeInteger(v) && (v as number) > 0)) return bad;
  if (!Array.isArray(done) || !done.every((d) => typeof d === 'string')) return bad;
  return { before: before as Record<string, number>, done };
}

/** Whether an agent's answer is a history list, and its entries. */
export function entriesOf(body: unknown): AgentEntry[] | undefined {
  const entries = (body as { entries?: unknown } | null)?.entries;
  if (!Array.isArray(entries)) return undefined;
  const ok = entries.every((e: unknown) => typeof e === 'object' && e !== null && Number.isSafeInteger((e as AgentEntry).id) && typeof (e as AgentEntry).at === 'string');
  return ok ? (entries as AgentEntry[]) : undefined;
}

export type MemberList = { cluster: string; entries: AgentEntry[]; asked: number } | { cluster: string; error: string };

type Got = { cluster: string; entries: AgentEntry[]; asked: number };

/** The list whose next entry is the newest of all the lists' next entries, if any is left. */
function newestNext(got: readonly Got[], taken: ReadonlyMap<string, number>): Got | undefined {
  let best: { list: Got; at: number } | undefined;
  for (const list of got) {
    const head = list.entries[taken.get(list.cluster) ?? 0];
    const at = head ? Date.parse(head.at) : NaN;
    if (head && (!best || at > best.at)) best = { list, at };
  }
  return best?.list;
}

/** Where each list goes on from, and which lists are done, after `taken` of each went on a page. */
function nextCursor(got: readonly Got[], taken: ReadonlyMap<string, number>, previous: Cursor): Cursor {
  const before = { ...previous.before };
  const done = new Set(previous.done);
  for (const l of got) {
    const n = taken.get(l.cluster) ?? 0;
    const last = l.entries[n - 1];
    if (last) before[l.cluster] = last.id;
    // Everything it had was taken, and it had fewer than asked: nothing below.
    if (n === l.entries.length && l.entries.length < l.asked) done.add(l.cluster);
  }
  return { before, done: [...done].sort() };
}

/**
 * One page from the members' lists (each newest first, `asked` the most the member was asked
 * for): the newest `limit` across them, and the cursor to go on from.
 */
export function mergePage(lists: readonly MemberList[], limit: number, previous: Cursor = { before: {}, done: [] }): HistoryPage {
  const missing = lists.flatMap((l) => ('error' in l ? [{ cluster: l.cluster, error: l.error }] : []));
  const got = lists.flatMap((l) => ('error' in l ? [] : [l]));
  const taken = new Map(got.map((l) => [l.cluster, 0]));
  const entries: HistoryPage['entries'] = [];
  for (let list = newestNext(got, taken); list && entries.length < limit; list = newestNext(got, taken)) {
    const i = taken.get(list.cluster) ?? 0;
    entries.push({ ...(list.entries[i] as AgentEntry), cluster: list.cluster });
    taken.set(list.cluster, i + 1);
  }
  const cursor = nextCursor(got, taken, previous);
  const open = lists.some((l) => !cursor.done.includes(l.cluster));
  return { entries, missing, ...(open ? { cursor: encodeCursor(cursor) } : {}) };
}
