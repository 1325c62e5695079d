/**
 * A warm-up for the HTTP send path: a few requests through postHttp to a loopback server that lives
 * only for this call. The first real sends otherwise pay for compiling that path (undici's request
 * code and its WebAssembly HTTP parser): 20-30 ms on each of the first notifications after a
 * start, which under a burst queues up into the whole first second's latency.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OPEN_EGRESS } from './egress.js';
import { postHttp } from './http.js';

const ROUNDS = 3;
const TIMEOUT_MS = 2000;

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** Never throws: a failed warm-up only means the first send is slower. */
export async function warmUpHttp(): Promise<boolean> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('{"ok":true}'));
  });
  try {
    const port = await listen(server);
    for (let i = 0; i < ROUNDS; i++) {
      const reply = await postHttp({
        url: `http://127.0.0.1:${port}/warm-up`,
        body: JSON.stringify({ warmUp: i }),
        headers: { 'content-type': 'application/json' },
        signal: AbortSignal.timeout(TIMEOUT_MS),
        // Its own loopback server, not a receiver: no outbound policy applies.
        egress: OPEN_EGRESS,
        secrets: [],
      });
      if (reply.status !== 200) return false;
    }
    return true;
  } catch {
    return false;
  } finally {
    server.closeAllConnections();
    server.close();
  }
}
