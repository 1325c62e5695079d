/**
 * A tiny HTTP proxy on 127.0.0.1: forwards absolute-form requests (plain-http targets) and tunnels
 * CONNECT (https targets), recording both. `route` can send any requested host to a local server,
 * so a test can use in-cluster names such as `hook.monitoring.svc:8080`.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';

interface ProxiedRequest {
  method: string;
  /** The absolute URL the client asked the proxy for. */
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface TestProxy {
  url: string;
  requests: ProxiedRequest[];
  /** `host:port` of every CONNECT tunnel. */
  tunnels: string[];
  /** How many client connections the proxy accepted. */
  connections(): number;
  close(): Promise<void>;
}

export type Route = (authority: { host: string; port: number }) => { host: string; port: number };

function splitAuthority(authority: string, defaultPort: number): { host: string; port: number } {
  const at = authority.lastIndexOf(':');
  if (at < 0) return { host: authority, port: defaultPort };
  return { host: authority.slice(0, at), port: Number(authority.slice(at + 1)) };
}

export async function startProxy(opts: { route?: Route } = {}): Promise<TestProxy> {
  const route: Route = opts.route ?? ((a) => a);
  const requests: ProxiedRequest[] = [];
  const tunnels: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const target = new URL(req.url ?? '');
    requests.push({ method: req.method ?? '', url: target.href, headers: req.headers });
    const to = route({ host: target.hostname, port: Number(target.port || 80) });
    const upstream = http.request(
      { host: to.host, port: to.port, method: req.method, path: `${target.pathname}${target.search}`, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end('bad gateway'));
    req.pipe(upstream);
  });
  let connections = 0;
  server.on('connection', (socket: net.Socket) => {
    connections++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    const to = route(splitAuthority(req.url ?? '', 443));
    const upstream = net.connect(to, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    tunnels,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
