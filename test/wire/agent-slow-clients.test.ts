/**
 * Slow clients cannot hold the agent (finding F8): 3,000 sockets that drip their request headers
 * a byte at a time neither block a normal request nor stay open past the headers timeout (they
 * were held for Node's 300 s before), and the agent's memory stays flat meanwhile.
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configDir, startAgent, type AgentProcess } from './agent-process.js';

const SOCKETS = 3000;
let agent: AgentProcess;

const rssMb = (pid: number): number => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:')) ?? '';
  return Number(/(\d+)/.exec(line)?.[1] ?? 0) / 1024;
};

beforeAll(async () => {
  agent = await startAgent({ configDir: configDir([]), env: { NODE_OPTIONS: '--max-old-space-size=64 --max-semi-space-size=1' } });
});
afterAll(async () => {
  await agent?.stop();
});

describe('slow clients', () => {
  it('3,000 drip-fed sockets are closed after the headers timeout, while a normal request is served', { timeout: 180_000 }, async () => {
    const { hostname, port } = new URL(agent.url);
    const before = rssMb(agent.pid);
    const sockets: Socket[] = [];
    const closed = new Set<Socket>();
    const drip = setInterval(() => {
      for (const s of sockets) if (!closed.has(s)) s.write('a');
    }, 1000);
    try {
      // In batches, so the listen backlog is not what refuses them.
      for (let i = 0; i < SOCKETS; i += 250) {
        await Promise.all(
          Array.from({ length: Math.min(250, SOCKETS - i) }, () =>
            new Promise<void>((resolve) => {
              const s = connect(Number(port), hostname, () => {
                s.write('POST /api/v2/alerts HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
                resolve();
              });
              s.on('error', () => undefined);
              s.on('close', () => {
                closed.add(s);
                resolve();
              });
              sockets.push(s);
            }),
          ),
        );
      }
      const connectedAt = Date.now();
      expect(sockets.length).toBe(SOCKETS);
      const during = rssMb(agent.pid);
      const res = await fetch(`${agent.url}/api/v2/alerts`, {
        method: 'POST',
        headers: agent.headers('ingest'),
        body: JSON.stringify({ version: '4', status: 'firing', alerts: [{ labels: { alertname: 'NotBlocked' } }] }),
      });
      expect(res.status).toBe(200);
      const deadline = Date.now() + 120_000;
      while (closed.size < SOCKETS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      console.log(`slow clients: ${SOCKETS} sockets; agent RSS ${before.toFixed(0)} MB before, ${during.toFixed(0)} MB with all connected; all closed by the agent ${((Date.now() - connectedAt) / 1000).toFixed(1)} s after the last connected`);
      expect(closed.size).toBe(SOCKETS);
      expect(during - before).toBeLessThan(100);
    } finally {
      clearInterval(drip);
      for (const s of sockets) s.destroy();
    }
  });
});
