/** What `heraldctl verify` and `heraldctl history` print (pure). */
import type { AgentEntry, HistoryPage } from '../members/history.js';
import type { ClusterVerify } from '../members/queries.js';
import { table } from './output.js';

/** One row per member and channel: what each agent's channel answered, or why the member has no answers. */
function verifyRows(clusters: readonly ClusterVerify[]): string[][] {
  return clusters.flatMap((c): string[][] => {
    if (!c.results || c.results.length === 0) return [[c.cluster, '-', 'FAILED', c.error ?? `HTTP ${c.status}`]];
    return c.results.map((r) => [c.cluster, r.channel, r.ok ? 'OK' : 'FAILED', (r.ok ? r.answer : r.error) ?? '']);
  });
}

export const verifyText = (clusters: readonly ClusterVerify[]): string =>
  clusters.length === 0 ? 'the receiver is placed on no member' : table(['CLUSTER', 'CHANNEL', 'RESULT', 'ANSWER'], verifyRows(clusters));

const cell = (e: AgentEntry, key: string): string => {
  const v = e[key];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
};

/** Newest first, one row per entry; members that could not be asked are named under the table. */
export function historyText(page: HistoryPage): string {
  const rows = page.entries.map((e) => [e.at, e.cluster, cell(e, 'receiver'), cell(e, 'channel'), e.outcome, cell(e, 'notifications'), cell(e, 'reason') || '-', cell(e, 'answer')]);
  const body = rows.length === 0 ? 'no deliveries recorded' : table(['TIME', 'CLUSTER', 'RECEIVER', 'CHANNEL', 'OUTCOME', 'ALERTS', 'REASON', 'ANSWER'], rows);
  const missing = page.missing.map((m) => `missing: ${m.cluster}: ${m.error}`);
  const more = page.cursor ? [`more: --cursor ${page.cursor}`] : [];
  return [body, ...missing, ...more].join('\n');
}
