/** Loopback helpers: free ports and polling an HTTP(S) endpoint until it answers. */
import { createServer } from 'node:net';
import { request } from 'node:https';
import { request as httpRequest } from 'node:http';

/** A port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface GetOptions {
  ca?: string;
  token?: string;
  timeoutMs?: number;
}

/** GET a URL on loopback; resolves with status and body, rejects on connection errors. */
export function get(url: string, { ca, token, timeoutMs = 2000 }: GetOptions = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = token ? { authorization: `Bearer ${token}` } : {};
    const req = (url.startsWith('https:') ? request : httpRequest)(url, { headers, ca, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Polls `check` every `everyMs` until it returns true, failing with `describe()` after `timeoutMs`. */
export async function waitFor(
  check: () => Promise<boolean>,
  { timeoutMs, everyMs = 100, describe }: { timeoutMs: number; everyMs?: number; describe: () => string },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
