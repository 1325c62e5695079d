/**
 * A real kube-apiserver on loopback with token auth and RBAC, storing under its own etcd prefix.
 * It can be stopped and started again on the same port, certificates and prefix (a restart).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, get, waitFor } from './net.js';
import { supervise, tail, type Supervised } from './processes.js';
import { kubeconfigYaml } from './kubeconfig.js';

export interface ApiServerOptions {
  name: string;
  binary: string;
  etcdUrl: string;
  runDir: string;
  /** Extra flags, e.g. an audit webhook backend. */
  extraArgs?: string[];
}

export class ApiServer {
  readonly name: string;
  readonly dir: string;
  readonly kubeconfigPath: string;
  readonly token = randomBytes(24).toString('hex');
  port = 0;
  private proc: Supervised | undefined;
  private ca = '';

  constructor(private readonly opts: ApiServerOptions) {
    this.name = opts.name;
    this.dir = join(opts.runDir, opts.name);
    this.kubeconfigPath = join(this.dir, 'kubeconfig');
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** PEM of the serving certificate, which the kubeconfig trusts. */
  get caPem(): string {
    return this.ca;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  get running(): boolean {
    return this.proc !== undefined;
  }

  /** Starts the server (again) and resolves when it serves and has its default namespaces. */
  async start(): Promise<void> {
    if (this.proc) return;
    if (this.port === 0) await this.prepare();
    const proc = supervise(this.opts.runDir, `kube-apiserver-${this.name}`, this.opts.binary, this.args());
    this.proc = proc;
    let exited = false;
    void proc.exited.then(() => (exited = true));
    const problem = (): string => `kube-apiserver ${this.name} did not become ready${exited ? ' (it exited)' : ''}:\n${tail(proc.logFile)}`;
    try {
      await waitFor(
        async () => {
          if (exited) throw new Error('exited');
          this.ca = readFileSync(join(this.dir, 'pki', 'apiserver.crt'), 'utf8');
          const ready = await get(`${this.url}/readyz`, { ca: this.ca, token: this.token });
          if (ready.status !== 200) return false;
          const ns = await get(`${this.url}/api/v1/namespaces/default`, { ca: this.ca, token: this.token });
          return ns.status === 200;
        },
        { timeoutMs: 90_000, everyMs: 200, describe: problem },
      );
    } catch (err) {
      await this.stop();
      throw err;
    }
    writeFileSync(this.kubeconfigPath, kubeconfigYaml({ name: this.name, server: this.url, caPem: this.ca, token: this.token }));
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    await proc?.stop();
  }

  /** Writes the service-account keys and the token file once. */
  private async prepare(): Promise<void> {
    this.port = await freePort();
    mkdirSync(join(this.dir, 'pki'), { recursive: true });
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    writeFileSync(join(this.dir, 'sa.pub'), publicKey);
    writeFileSync(join(this.dir, 'sa.key'), privateKey, { mode: 0o600 });
    writeFileSync(join(this.dir, 'tokens.csv'), `${this.token},herald-admin,herald-admin,"system:masters"\n`, { mode: 0o600 });
  }

  private args(): string[] {
    const d = this.dir;
    return [
      `--etcd-servers=${this.opts.etcdUrl}`,
      `--etcd-prefix=/${this.name}/registry`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${this.port}`,
      `--cert-dir=${join(d, 'pki')}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-key-file=${join(d, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(d, 'sa.key')}`,
      '--authorization-mode=RBAC',
      `--token-auth-file=${join(d, 'tokens.csv')}`,
      '--disable-admission-plugins=ServiceAccount',
      '--endpoint-reconciler-type=none',
      '--allow-privileged=true',
      '--profiling=false',
      ...(this.opts.extraArgs ?? []),
    ];
  }
}
