/**
 * A webhook sink in its own process: answers 200 and reports, per alert, the time from the
 * `sentAt` annotation (ms since the epoch, set by the load generator) to its arrival.
 */
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
let received = 0;
const latencies: number[] = [];
createServer((req, res) => {
  if (req.method === 'GET') {
    res.end(JSON.stringify({ received, latencies: latencies.splice(0) }));
    return;
  }
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => (body += c));
  req.on('end', () => {
    const now = Date.now();
    const payload = JSON.parse(body) as { alerts: { annotations?: { sentAt?: string } }[] };
    received += payload.alerts.length;
    for (const a of payload.alerts) if (a.annotations?.sentAt) latencies.push(now - Number(a.annotations.sentAt));
    res.end('ok');
  });
}).listen(port, '127.0.0.1', () => console.log('ready'));
