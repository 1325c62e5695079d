/**
 * A recording HTTP or HTTPS server on 127.0.0.1 and a random port. Every request is kept with its
 * body and (over mutual TLS) the client certificate's CN; a handler decides the reply, or that
 * there is none (the request hangs until the client gives up or the server closes). A request
 * without Herald's User-Agent is answered 400 before the handler sees it, so every fake built on
 * this server checks that each request a notifier makes (token fetches and signed SMS calls too)
 * carries it.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { USER_AGENT } from '../../member/src/notify/http.js';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** CN of the verified client certificate, when the server asked for one. */
  clientCN: string | undefined;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** The reply to a request; undefined answers nothing at all. */
export type Handler = (req: RecordedRequest) => Reply | undefined;

export interface TestHttpServer {
  /** `http(s)://127.0.0.1:<port>` */
  origin: string;
  port: number;
  requests: RecordedRequest[];
  /** How many TCP connections the server accepted (a refused client never opens one). */
  connections(): number;
  close(): Promise<void>;
}

function clientCN(req: http.IncomingMessage): string | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const cn = socket.getPeerCertificate().subject?.CN;
  return Array.isArray(cn) ? cn[0] : cn;
}

export async function startHttpServer(opts: { handler: Handler; tls?: https.ServerOptions }): Promise<TestHttpServer> {
  const requests: RecordedRequest[] = [];
  const listener: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        clientCN: clientCN(req),
      };
      requests.push(recorded);
      const agent = req.headers['user-agent'];
      const reply = agent === USER_AGENT ? opts.handler(recorded) : json(400, { error: `expected User-Agent ${USER_AGENT}, got ${agent ?? 'none'}` });
      if (!reply) return;
      res.writeHead(reply.status, reply.headers ?? {});
      res.end(reply.body ?? '');
    });
  };
  const server = opts.tls ? https.createServer(opts.tls, listener) : http.createServer(listener);
  // A refused client certificate is an expected outcome in some tests, not a crash.
  server.on('tlsClientError', () => undefined);
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A JSON reply. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}
