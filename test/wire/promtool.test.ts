/**
 * Herald's metrics and alert rules as Prometheus's own tool judges them: a real agent's scrape,
 * after it delivered to one receiver and failed another (so the labelled series exist), and the
 * host's registry pass `promtool check metrics`; the shipped rule file passes `check rules` and
 * its unit tests (`test/promtool/herald.rules.test.yaml`) pass `test rules`.
 */
import { join } from 'node:path';
import { collectDefaultMetrics } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createHostMetrics } from '../../host/src/propagation/metrics.js';
import { REPO_ROOT } from '../harness/binaries.js';
import { metricsFindings, promtool } from '../support/promtool.js';
import { configDir, startAgent } from './agent-process.js';
import { agentMetric, cleanupAfterEach, eventually, settingsObject, sinkReceiver } from './am-scenario.js';
import { startHttpServer } from './http-server.js';

const track = cleanupAfterEach();

describe('promtool', () => {
  it('finds nothing wrong in a real agent’s scrape, with receiver-labelled delivery series', async () => {
    const ok = await startHttpServer({ handler: () => ({ status: 200, body: 'ok' }) });
    const refusing = await startHttpServer({ handler: () => ({ status: 400, body: 'no' }) });
    track(() => ok.close());
    track(() => refusing.close());
    const agent = await startAgent({ configDir: configDir([settingsObject(), sinkReceiver(`${ok.origin}/hook`, 'good'), sinkReceiver(`${refusing.origin}/hook`, 'bad')]) });
    track(() => agent.stop());
    const res = await fetch(`${agent.url}/api/v2/alerts`, {
      method: 'POST',
      headers: agent.headers('ingest'),
      body: JSON.stringify({ version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'Scraped' }, startsAt: new Date().toISOString() }] }),
    });
    expect(res.status).toBe(200);
    await eventually(async () => (await agentMetric(agent, 'herald_notifications_failed_total', { receiver: 'bad' })) >= 1 || undefined, () => agent.output());
    const scrape = await (await fetch(`${agent.url}/metrics`)).text();
    expect(scrape).toMatch(/^herald_notifications_delivered_total\{receiver="good",channel="webhook"\} 1$/m);
    expect(scrape).toMatch(/^herald_notifications_failed_total\{receiver="bad",channel="webhook",reason="client-error"\} 1$/m);
    expect(scrape).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(await metricsFindings(scrape)).toBe('');
  });

  it('finds nothing wrong in the host’s registry', async () => {
    const m = createHostMetrics();
    collectDefaultMetrics({ register: m.registry });
    m.leader.set(1);
    m.memberReady.set({ cluster: 'member-a' }, 1);
    m.agentReady.set({ cluster: 'member-a' }, 0);
    m.lastSync.set({ cluster: 'member-a' }, Date.now() / 1000);
    m.syncSeconds.observe({ cluster: 'member-a' }, 0.2);
    m.applyErrors.inc({ cluster: 'member-a' });
    m.drift.inc({ cluster: 'member-a', kind: 'Receiver', how: 'edited' });
    expect(await metricsFindings(await m.registry.metrics())).toBe('');
  });

  it('passes the shipped rule file and its unit tests', async () => {
    const check = await promtool(['check', 'rules', 'charts/herald/files/herald.rules.yaml']);
    expect(check.out).toContain('SUCCESS: 10 rules found');
    expect(check.code).toBe(0);
    const tests = await promtool(['test', 'rules', 'herald.rules.test.yaml'], { cwd: join(REPO_ROOT, 'test', 'promtool') });
    expect(tests.out).toContain('SUCCESS');
    expect(tests.code, tests.out).toBe(0);
  });
});
