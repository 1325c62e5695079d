/**
 * The agent's log as operators read it: JSON lines with level names, ISO times and a component
 * (the pipeline thread's lines say `pipeline`), probes and scrapes only at debug; `--log-format
 * text` for people; a wrong --log-level or --log-format refused in one line listing what is accepted.
 */
import { describe, expect, it } from 'vitest';
import { agentExit, configDir, startAgent, type AgentProcess } from './agent-process.js';
import { cleanupAfterEach, eventually, settingsObject, sinkReceiver } from './am-scenario.js';
import { startHttpServer } from './http-server.js';
import { parseLogLines } from '../support/log-lines.js';

const track = cleanupAfterEach();
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;


const lines = (agent: AgentProcess): string[] => agent.output().split('\n').filter((l) => l.trim() !== '');

async function probeAndFail(agent: AgentProcess): Promise<void> {
  expect((await fetch(`${agent.url}/healthz`)).status).toBe(200);
  expect((await fetch(`${agent.url}/metrics`)).status).toBe(200);
  const res = await fetch(`${agent.url}/api/v2/alerts`, {
    method: 'POST',
    headers: agent.headers('ingest'),
    body: JSON.stringify({ version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'Logged' }, startsAt: new Date().toISOString() }] }),
  });
  expect(res.status).toBe(200);
}

describe('agent logs', () => {
  it('are JSON lines of one shape, with probes and scrapes at debug', async () => {
    const refusing = await startHttpServer({ handler: () => ({ status: 401, body: 'no' }) });
    track(() => refusing.close());
    const dir = configDir([settingsObject(), sinkReceiver(`${refusing.origin}/hook`, 'refusing')]);
    const agent = await startAgent({ configDir: dir, args: ['--log-level', 'debug'] });
    track(() => agent.stop());
    await probeAndFail(agent);
    await eventually(() => (agent.output().includes('"component":"pipeline"') ? true : undefined), () => agent.output());
    const parsed = parseLogLines(agent.output());
    for (const line of parsed) {
      expect(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).toContain(line.level);
      expect(line.time).toMatch(ISO);
      expect(['agent', 'pipeline']).toContain(line.component);
    }
    const probes = parsed.filter((l) => l.path === '/healthz' || l.path === '/metrics');
    expect(probes.map((l) => `${l.level} ${l.path}`)).toEqual(['debug /healthz', 'debug /metrics']);
    expect(parsed.find((l) => l.component === 'pipeline')).toMatchObject({ level: 'warn', msg: 'delivery failed', reason: 'auth' });
  });

  it('leave probes out at info, and read as text with --log-format text', async () => {
    const agent = await startAgent({ configDir: configDir([settingsObject()]), args: ['--log-level', 'info', '--log-format', 'text'] });
    track(() => agent.stop());
    expect((await fetch(`${agent.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${agent.url}/metrics`)).status).toBe(200);
    await eventually(() => (agent.output().includes('herald-agent listening on') ? true : undefined), () => agent.output());
    const out = lines(agent);
    expect(out.length).toBeGreaterThan(0);
    for (const line of out) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (TRACE|DEBUG|INFO|WARN|ERROR|FATAL) agent \S/);
    expect(out.some((l) => / INFO agent herald-agent listening on http:\/\/127\.0\.0\.1:\d+; cluster member-a$/.test(l))).toBe(true);
    expect(agent.output()).not.toContain('/healthz');
  });

  it('refuses a level or format it does not know, listing the accepted ones', async () => {
    const dir = configDir([settingsObject()]);
    const level = await agentExit({ configDir: dir, args: ['--log-level', 'verbose'] });
    expect(level.code).toBe(2);
    expect(level.output).toContain('herald-agent: --log-level "verbose" is not one of trace, debug, info, warn, error, fatal, silent');
    const format = await agentExit({ configDir: dir, args: ['--log-format', 'yaml'] });
    expect(format.code).toBe(2);
    expect(format.output).toContain('herald-agent: --log-format "yaml" is not one of json, text');
  });
});
