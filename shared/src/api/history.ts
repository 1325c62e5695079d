/** Delivery history queries, as the agent answers them and the host and heraldctl ask them. */

/** What became of a batch: `suppressed` by the notification log, `inhibited` by an InhibitRule. */
export const HISTORY_OUTCOMES = ['delivered', 'failed', 'retrying', 'suppressed', 'inhibited'] as const;
export type HistoryOutcome = (typeof HISTORY_OUTCOMES)[number];

/** `limit`: 1 to 1000, as a query string carries it. */
export const HISTORY_LIMIT_PATTERN = '^(1000|[1-9][0-9]{0,2})$';
