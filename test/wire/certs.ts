/**
 * Throwaway PKI for wire tests: a CA, a server certificate for 127.0.0.1 and localhost, a client
 * certificate from the same CA, and a client certificate from an unrelated CA. Keys come from
 * node:crypto; the X.509 signing is done by the openssl CLI in a temp dir that is removed at once.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface CertPair {
  cert: string;
  key: string;
}

export interface TestPki {
  /** PEM of the CA that signed `server` and `client`. */
  ca: string;
  server: CertPair;
  client: CertPair;
  /** Signed by another CA: a server requiring `ca`-signed clients must refuse it. */
  strangerClient: CertPair;
}

function newKey(): string {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

interface Issue {
  name: string;
  subject: string;
  extensions: string;
  /** Issuer file base name; none means self-signed. */
  issuer?: string;
}

function issue(dir: string, req: Issue): CertPair {
  const file = (ext: string): string => join(dir, `${req.name}.${ext}`);
  const key = newKey();
  writeFileSync(file('key'), key);
  writeFileSync(file('ext'), `[ext]\n${req.extensions}\n`);
  const common = ['-days', '2', '-sha256', '-extfile', file('ext'), '-extensions', 'ext', '-out', file('crt')];
  execFileSync('openssl', ['req', '-new', '-key', file('key'), '-subj', req.subject, '-out', file('csr')], { stdio: 'pipe' });
  const signer = req.issuer
    ? ['-CA', join(dir, `${req.issuer}.crt`), '-CAkey', join(dir, `${req.issuer}.key`), '-CAcreateserial']
    : ['-signkey', file('key')];
  execFileSync('openssl', ['x509', '-req', '-in', file('csr'), ...signer, ...common], { stdio: 'pipe' });
  return { cert: readFileSync(file('crt'), 'utf8'), key };
}

const CA_EXT = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign';

/** makeTestPki builds the certificates (a second or so); call it once per test file. */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'herald-pki-'));
  try {
    const ca = issue(dir, { name: 'ca', subject: '/CN=Herald Test CA', extensions: CA_EXT });
    issue(dir, { name: 'stranger-ca', subject: '/CN=Stranger CA', extensions: CA_EXT });
    const server = issue(dir, {
      name: 'server',
      subject: '/CN=localhost',
      issuer: 'ca',
      extensions: 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost',
    });
    const clientExt = 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth';
    const client = issue(dir, { name: 'client', subject: '/CN=herald-client', issuer: 'ca', extensions: clientExt });
    const strangerClient = issue(dir, {
      name: 'stranger',
      subject: '/CN=stranger',
      issuer: 'stranger-ca',
      extensions: clientExt,
    });
    return { ca: ca.cert, server, client, strangerClient };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
