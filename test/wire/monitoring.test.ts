/**
 * The shipped dashboard and alert rules read only metrics Herald exports: every name in their
 * queries is one the agent's or the host's registry serves on /metrics (histograms by their
 * _bucket/_sum/_count series), or Prometheus's own `up`. A metric renamed in code without the
 * dashboard or a rule following fails here.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createHostMetrics } from '../../host/src/propagation/metrics.js';
import { createMetrics } from '../../member/src/metrics.js';

const file = (p: string): string => readFileSync(fileURLToPath(new URL(`../../charts/herald/files/${p}`, import.meta.url)), 'utf8');

async function exported(): Promise<Set<string>> {
  const names = new Set<string>(['up']);
  for (const registry of [createMetrics().registry, createHostMetrics().registry]) {
    for (const m of await registry.getMetricsAsJSON()) {
      names.add(m.name);
      // prom-client declares MetricType as an enum it does not export at run time: compare its string value.
      if (String(m.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m.name + s);
    }
  }
  return names;
}

/** Metric names in a PromQL expression: identifiers not followed by `(` and not label names or keywords. */
function metricNames(expr: string): string[] {
  const stripped = expr.replace(/\{[^}]*\}/g, '').replace(/\[[^\]]*\]/g, '').replace(/\b(by|on|without|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const words = stripped.match(/\b[a-zA-Z_:][a-zA-Z0-9_:]*\b(?!\s*\()/g) ?? [];
  const keywords = new Set(['and', 'or', 'unless', 'offset', 'bool', 'le']);
  // Herald's and Node's metric names all have an underscore; `up` is Prometheus's own.
  return words.filter((w) => w === 'up' || (!keywords.has(w) && w.includes('_')));
}

interface Panel { targets?: { expr: string }[]; panels?: Panel[] }
const dashboardExprs = (panels: Panel[]): string[] => panels.flatMap((p) => [...(p.targets ?? []).map((t) => t.expr), ...dashboardExprs(p.panels ?? [])]);

describe('shipped dashboard and alert rules', () => {
  it('the dashboard queries only exported metrics', async () => {
    const names = await exported();
    const exprs = dashboardExprs((JSON.parse(file('herald-dashboard.json')) as { panels: Panel[] }).panels);
    expect(exprs.length).toBeGreaterThan(15);
    const unknown = exprs.flatMap((e) => metricNames(e).filter((n) => !names.has(n)).map((n) => `${n} in ${e}`));
    expect(unknown).toEqual([]);
  });

  it('every alert rule reads only exported metrics', async () => {
    const names = await exported();
    const groups = (parse(file('herald.rules.yaml')) as { groups: { rules: { alert: string; expr: string }[] }[] }).groups;
    const rules = groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual(expect.arrayContaining(['HeraldAgentDown', 'HeraldMemberNotReady', 'HeraldDeliveryFailing', 'HeraldQueueGrowing', 'HeraldDeadLetters']));
    const unknown = rules.flatMap((r) => metricNames(r.expr).filter((n) => !names.has(n)).map((n) => `${n} in ${r.alert}`));
    expect(unknown).toEqual([]);
  });
});
