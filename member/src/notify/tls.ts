/**
 * Maps a TLSConfig block (rootCA, client certificate, serverName, insecureSkipVerify) to the Node
 * TLS options both nodemailer (`tls`) and undici (`connect` / `requestTls`) take.
 */
import type { TLSConfig } from '@herald/shared';
import type { SecretRecorder } from './http.js';

export interface TlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
  servername?: string;
  rejectUnauthorized: boolean;
}

/** tlsOptionsOf resolves the block's credentials; `field` is its path, e.g. `spec.webhook.httpConfig.tlsConfig`. */
export function tlsOptionsOf(
  tls: TLSConfig | undefined,
  secrets: Pick<SecretRecorder, 'secret'>,
  field: string,
): TlsOptions | undefined {
  if (!tls) return undefined;
  const out: TlsOptions = { rejectUnauthorized: tls.insecureSkipVerify !== true };
  // A rootCA replaces the system roots, as Go's tls.Config.RootCAs does in Notification Manager.
  if (tls.rootCA) out.ca = secrets.secret(tls.rootCA, `${field}.rootCA`);
  if (tls.clientCertificate) {
    out.cert = secrets.secret(tls.clientCertificate.cert, `${field}.clientCertificate.cert`);
    out.key = secrets.secret(tls.clientCertificate.key, `${field}.clientCertificate.key`);
  }
  if (tls.serverName) out.servername = tls.serverName;
  return out;
}
