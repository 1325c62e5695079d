/**
 * Why a send failed, as an operator reads it: a real agent delivering to servers that refuse in
 * different ways names the reason in each history entry (GET /api/v2/history) and in the `reason`
 * label of the failure and retry counters.
 */
import { describe, expect, it } from 'vitest';
import { configDir, freePort, startAgent } from './agent-process.js';
import { API, agentMetric, cleanupAfterEach, eventually, settingsObject, sinkReceiver } from './am-scenario.js';
import { startHttpServer } from './http-server.js';
import { startFakeSlack } from './slack.js';

const track = cleanupAfterEach();

interface Entry {
  receiver: string;
  outcome: string;
  reason?: string;
  answer: string;
}

async function history(agent: Awaited<ReturnType<typeof startAgent>>): Promise<Entry[]> {
  const res = await fetch(`${agent.url}/api/v2/history?limit=1000`, { headers: agent.headers('admin') });
  return ((await res.json()) as { entries: Entry[] }).entries;
}

describe('failure reasons over the wire', () => {
  it('names auth, rate-limited, network, config and template in history and metrics', async () => {
    const unauthorized = await startHttpServer({ handler: () => ({ status: 401, body: 'who are you' }) });
    const limited = await startHttpServer({ handler: () => ({ status: 429, body: 'slow down' }) });
    const ok = await startHttpServer({ handler: () => ({ status: 200, body: 'ok' }) });
    const slack = await startFakeSlack({ token: 'xoxb-right', channels: { '#alerts': 'C01' } });
    for (const s of [unauthorized, limited, ok, slack]) track(() => s.close());
    // A port that was free a moment ago: nothing listens, the connection is refused.
    const closed = await freePort();
    const objects = [
      settingsObject({ maxAttempts: 100 }),
      sinkReceiver(`${unauthorized.origin}/hook`, 'unauthorized'),
      sinkReceiver(`${limited.origin}/hook`, 'limited'),
      sinkReceiver(`http://127.0.0.1:${closed}/hook`, 'refused'),
      { apiVersion: API, kind: 'Receiver', metadata: { name: 'badtemplate', labels: { type: 'global' } }, spec: { webhook: { url: `${ok.origin}/hook`, template: 'no.such.template' } } },
      // WeChat app messages need a Config; none exists.
      { apiVersion: API, kind: 'Receiver', metadata: { name: 'noconfig', labels: { type: 'global' } }, spec: { wechat: { toUser: ['zhangsan'] } } },
      { apiVersion: API, kind: 'Receiver', metadata: { name: 'badtoken', labels: { type: 'global' } }, spec: { slack: { channels: ['#alerts'] } } },
      { apiVersion: API, kind: 'Config', metadata: { name: 'slack', labels: { type: 'default' } }, spec: { slack: { slackTokenSecret: { value: 'xoxb-wrong' }, apiUrl: slack.apiUrl } } },
    ];
    const agent = await startAgent({ configDir: configDir(objects) });
    track(() => agent.stop());
    const res = await fetch(`${agent.url}/api/v2/alerts`, {
      method: 'POST',
      headers: agent.headers('ingest'),
      body: JSON.stringify({ version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'Reasons' }, startsAt: new Date().toISOString() }] }),
    });
    expect(res.status).toBe(200);

    const want: Record<string, { outcome: string; reason: string }> = {
      unauthorized: { outcome: 'failed', reason: 'auth' },
      badtoken: { outcome: 'failed', reason: 'auth' },
      limited: { outcome: 'retrying', reason: 'rate-limited' },
      refused: { outcome: 'retrying', reason: 'network' },
      noconfig: { outcome: 'retrying', reason: 'config' },
      badtemplate: { outcome: 'retrying', reason: 'template' },
    };
    const entries = await eventually(async () => {
      const all = await history(agent);
      return Object.keys(want).every((r) => all.some((e) => e.receiver === r)) ? all : undefined;
    }, () => agent.output());
    for (const [receiver, expected] of Object.entries(want)) {
      const entry = entries.find((e) => e.receiver === receiver);
      expect(entry, receiver).toMatchObject(expected);
    }
    expect(entries.find((e) => e.receiver === 'badtoken')?.answer).toContain('invalid_auth');

    expect(await agentMetric(agent, 'herald_notifications_failed_total', { receiver: 'unauthorized', reason: 'auth' })).toBe(1);
    expect(await agentMetric(agent, 'herald_notifications_failed_total', { receiver: 'badtoken', reason: 'auth' })).toBe(1);
    expect(await agentMetric(agent, 'herald_delivery_retries_total', { receiver: 'limited', reason: 'rate-limited' })).toBeGreaterThanOrEqual(1);
    expect(await agentMetric(agent, 'herald_delivery_retries_total', { receiver: 'refused', reason: 'network' })).toBeGreaterThanOrEqual(1);
    expect(await agentMetric(agent, 'herald_delivery_retries_total', { receiver: 'noconfig', reason: 'config' })).toBeGreaterThanOrEqual(1);
    expect(await agentMetric(agent, 'herald_delivery_retries_total', { receiver: 'badtemplate', reason: 'template' })).toBeGreaterThanOrEqual(1);
    expect(await agentMetric(agent, 'herald_delivery_retries_total', { receiver: 'limited', reason: 'network' })).toBe(0);
  });
});
