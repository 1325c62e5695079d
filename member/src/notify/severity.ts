/**
 * The severity of a notification group, from its alerts' `severity` labels: the most severe
 * firing alert decides (every alert, when none is firing). Label values vary between rule sets,
 * so common spellings map onto four levels; anything else is unknown.
 */
import type { TemplateData } from '../model/notification.js';

export type Severity = 'critical' | 'error' | 'warning' | 'info';

const LEVELS: Readonly<Record<string, Severity>> = {
  critical: 'critical', crit: 'critical', fatal: 'critical', emergency: 'critical', page: 'critical', p1: 'critical',
  error: 'error', err: 'error', major: 'error', high: 'error', p2: 'error',
  warning: 'warning', warn: 'warning', minor: 'warning', medium: 'warning', p3: 'warning',
  info: 'info', informational: 'info', notice: 'info', low: 'info', none: 'info', p4: 'info', p5: 'info',
};
const RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, error: 2, critical: 3 };

export function groupSeverity(data: Pick<TemplateData, 'alerts'>): Severity | undefined {
  const firing = data.alerts.filter((a) => a.status === 'firing');
  let worst: Severity | undefined;
  for (const alert of firing.length > 0 ? firing : data.alerts) {
    const level = LEVELS[(alert.labels['severity'] ?? '').trim().toLowerCase()];
    if (level && (worst === undefined || RANK[level] > RANK[worst])) worst = level;
  }
  return worst;
}
