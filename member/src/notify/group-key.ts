/**
 * A stable identity for a notification group: the same receiver, cluster and group labels give
 * the same key in every batch, so the resolved batch of a group closes what its firing batch
 * opened (PagerDuty dedup_key ≤ 255 characters, Opsgenie alias ≤ 512).
 */
import { createHash } from 'node:crypto';
import type { TemplateData } from '../model/notification.js';

export function groupKeyOf(data: Pick<TemplateData, 'receiver' | 'cluster' | 'groupLabels'>): string {
  const labels = Object.entries(data.groupLabels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const digest = createHash('sha256').update(JSON.stringify([data.receiver, data.cluster, labels])).digest('hex');
  return `herald-${digest.slice(0, 40)}`;
}
