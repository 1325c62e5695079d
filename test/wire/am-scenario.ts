/**
 * What the tests with a real Alertmanager in front of an agent share: the agent's objects, what a
 * webhook sink got (request by request), polling with a story on failure, cleanup after each test,
 * and the check that nothing Alertmanager sent was refused.
 */
import { afterEach, expect } from 'vitest';
import { sumOfSamples, type AlertmanagerProcess } from './alertmanager.js';
import type { AgentProcess } from './agent-process.js';
import type { TestHttpServer } from './http-server.js';

export { eventually, holds } from '../support/eventually.js';

export const API = 'herald.dev/v1alpha1';

/** Settings for these tests: no batching wait, grouped by alertname, quick retries; `delivery` adds to its block. */
export const settingsObject = (delivery: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: API,
  kind: 'Settings',
  metadata: { name: 'default' },
  spec: { batchMaxWait: '0s', groupLabels: ['alertname'], cluster: { name: 'member-a' }, delivery: { initialBackoff: '100ms', maxBackoff: '500ms', ...delivery } },
});

/** A global webhook Receiver posting to `url`. */
export const sinkReceiver = (url: string, name = 'sink'): Record<string, unknown> => ({
  apiVersion: API,
  kind: 'Receiver',
  metadata: { name, labels: { type: 'global' } },
  spec: { webhook: { url } },
});

export interface DeliveredAlert {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** One webhook request the sink got, as Herald's Alertmanager-format payload. */
export interface DeliveredGroup {
  status: string;
  groupKey: string;
  truncatedAlerts: number;
  externalURL: string;
  alerts: DeliveredAlert[];
}

/** Every webhook request the sink got, in arrival order. */
export const groups = (sink: TestHttpServer): DeliveredGroup[] => sink.requests.map((r) => JSON.parse(r.body) as DeliveredGroup);

/** Every alert the sink got, in arrival order, with the index of the request that carried it. */
export const delivered = (sink: TestHttpServer): (DeliveredAlert & { request: number })[] =>
  groups(sink).flatMap((g, request) => g.alerts.map((a) => ({ ...a, request })));

/** `status[name:status,…]` of each request: what a receiver saw, in order, in one line. */
export const timeline = (sink: TestHttpServer, name: (a: DeliveredAlert) => string = (a) => a.labels['pod'] ?? a.labels['alertname'] ?? '?'): string[] =>
  groups(sink).map((g) => `${g.status}[${g.alerts.map((a) => `${name(a)}:${a.status}`).join(',')}]`);

/** What went wrong, for failure messages: the agent's and each Alertmanager's log, and what each sink got. */
export const story =
  (agent: AgentProcess, ams: AlertmanagerProcess[], sinks: TestHttpServer[]) =>
  (): string =>
    [
      `agent:\n${agent.output()}`,
      ...ams.map((am) => `alertmanager ${am.url}:\n${am.output()}`),
      ...sinks.map((s) => `sink ${s.origin} got:\n${s.requests.map((r) => `${r.method} ${r.url} ${r.body.slice(0, 2000)}`).join('\n')}`),
    ].join('\n');

/** Registers afterEach cleanup; returns the function that adds a step (run last-added first). */
export function cleanupAfterEach(): (step: () => Promise<void>) => void {
  let steps: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of steps.reverse()) await step().catch(() => undefined);
    steps = [];
  });
  return (step) => void steps.push(step);
}

/** The agent's counter or gauge, summed over samples whose labels include `labels`. */
export async function agentMetric(agent: AgentProcess, name: string, labels: Record<string, string> = {}): Promise<number> {
  return sumOfSamples(await (await fetch(`${agent.url}/metrics`)).text(), name, labels);
}

/** The agent's history entries with an outcome (newest first). */
export async function historyOf(agent: AgentProcess, outcome: string): Promise<{ receiver: string; answer: string; reason?: string; fingerprints: string[] }[]> {
  const res = await fetch(`${agent.url}/api/v2/history?outcome=${outcome}`, { headers: agent.headers('admin') });
  return ((await res.json()) as { entries: { receiver: string; answer: string; reason?: string; fingerprints: string[] }[] }).entries;
}

/** Nothing Alertmanager sent was refused: no 4xx logged or counted by the agent, no failed notification in Alertmanager. */
export async function expectNothingRefused(agent: AgentProcess, ams: AlertmanagerProcess[]): Promise<void> {
  expect(agent.output()).not.toContain('refused:');
  expect(await agentMetric(agent, 'herald_requests_rejected_total')).toBe(0);
  for (const am of ams) {
    expect(await am.metric('alertmanager_notifications_failed_total', { integration: 'webhook' })).toBe(0);
    expect(am.output()).not.toContain('Notify for alerts failed');
  }
}
