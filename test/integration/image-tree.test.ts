/**
 * What the images hold, run as their ENTRYPOINT runs it: hack/image-tree.ts builds each tree, and
 * a copy of it in an empty folder far from the repository (no node_modules above it) must start
 * on its own — the agent delivering what Alertmanager posts, herald-host healthy and ready against
 * a real cluster, heraldctl answering --help — without writing to their own (read-only) folder.
 * A tree missing its native addon must fail loudly: the agent opens its store before it serves.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageTree } from '../../hack/image-tree.js';
import { startClusters, type ClusterSet } from '../harness/clusters.js';
import { freePort } from '../harness/net.js';
import { until } from '../support/eventually.js';
import { agentExit, configDir, startAgent, type AgentProcess } from '../wire/agent-process.js';
import { startHttpServer, type TestHttpServer } from '../wire/http-server.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const API = 'herald.dev/v1alpha1';
// The children see no module search path or loader of the test runner's.
const CLEAN_ENV = { NODE_PATH: '', NODE_OPTIONS: '' };

let built: string;
let set: ClusterSet | undefined;
let sink: TestHttpServer;
const received: string[] = [];
const children: ChildProcess[] = [];
const agents: AgentProcess[] = [];

const copies: string[] = [];

/**
 * A copy of `tree` in a fresh folder under the system's temp dir, as the image's /app; read-only
 * (as /app is to the image's non-root user) unless the test is to break it.
 */
function install(tree: string, readOnly = true): string {
  const folder = mkdtempSync(join(tmpdir(), 'herald-image-'));
  copies.push(folder);
  const app = join(folder, 'app');
  cpSync(tree, app, { recursive: true });
  if (readOnly) execFileSync('chmod', ['-R', 'a-w', app]);
  return app;
}

/** Every file under `dir` with its size and mtime: equal before and after means nothing wrote there (root ignores a-w). */
function snapshot(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((e) => join(e.parentPath, e.name))
    .map((f) => `${f} ${statSync(f).size} ${statSync(f).mtimeMs}`)
    .sort();
}

/** No folder above `app` holds node_modules, and the repository is not among them. */
function assertIsolated(app: string): void {
  expect(app.startsWith(REPO)).toBe(false);
  for (let dir = dirname(app); ; dir = dirname(dir)) {
    expect(existsSync(join(dir, 'node_modules')), `${dir}/node_modules`).toBe(false);
    if (dirname(dir) === dir) break;
  }
}

beforeAll(async () => {
  built = mkdtempSync(join(tmpdir(), 'herald-trees-'));
  await imageTree('agent', join(built, 'agent'));
  await imageTree('host', join(built, 'host'));
  sink = await startHttpServer({
    handler: (req) => {
      const body = JSON.parse(req.body) as { alerts: { labels: Record<string, string> }[] };
      for (const a of body.alerts) received.push(a.labels['alertname'] ?? '');
      return { status: 200, body: 'ok' };
    },
  });
}, 120_000);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  for (const c of children) c.kill('SIGTERM');
  await sink?.close();
  await set?.stop();
  for (const folder of copies) {
    execFileSync('chmod', ['-R', 'u+w', folder]);
    rmSync(folder, { recursive: true, force: true });
  }
  rmSync(built, { recursive: true, force: true });
});

describe('the agent image tree', () => {
  it('resolves nothing but its own files', () => {
    const app = install(join(built, 'agent'));
    assertIsolated(app);
    const require = createRequire(join(app, 'cli.js'));
    expect(require.resolve('better-sqlite3').startsWith(app + sep)).toBe(true);
    expect(() => require.resolve('@kubernetes/client-node')).toThrow();
  });

  it('runs standalone from a copy and delivers an Alertmanager post to its webhook Receiver', async () => {
    const app = install(join(built, 'agent'));
    const before = snapshot(app);
    const receiver = { apiVersion: API, kind: 'Receiver', metadata: { name: 'hook', labels: { type: 'global' } }, spec: { webhook: { url: `${sink.origin}/image` } } };
    const settings = { apiVersion: API, kind: 'Settings', metadata: { name: 'default' }, spec: { batchMaxWait: '0s', cluster: { name: 'image' } } };
    const agent = await startAgent({ configDir: configDir([settings, receiver]), bundleCli: join(app, 'cli.js'), env: CLEAN_ENV });
    agents.push(agent);
    const alerts = [{ status: 'firing', labels: { alertname: 'FromTheImage' }, annotations: {}, startsAt: new Date().toISOString() }];
    const res = await fetch(`${agent.url}/api/v2/alerts`, { method: 'POST', headers: agent.headers('ingest'), body: JSON.stringify({ version: '4', status: 'firing', alerts }) });
    expect(res.status).toBe(200);
    await until('the notification at the sink', () => received.includes('FromTheImage'), { detail: agent.output });
    expect(agent.output()).not.toMatch(/Cannot find module|Dynamic require/i);
    expect(snapshot(app)).toEqual(before);
  });

  it('without its native addon, exits non-zero saying which file it could not find', async () => {
    const app = install(join(built, 'agent'), false);
    rmSync(join(app, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'));
    const { code, output } = await agentExit({ configDir: configDir([]), bundleCli: join(app, 'cli.js'), env: CLEAN_ENV });
    expect(code).not.toBe(0);
    expect(output).toMatch(/cannot open the store .*bindings file[\s\S]*better_sqlite3\.node/);
  });
});

describe('the host image tree', () => {
  it('heraldctl (ctl.js) answers --help from a copy', () => {
    const app = install(join(built, 'host'));
    assertIsolated(app);
    const r = spawnSync(process.execPath, [join(app, 'ctl.js'), '--help'], { cwd: dirname(app), env: { ...process.env, ...CLEAN_ENV }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('usage: heraldctl COMMAND');
    expect(r.stdout).toMatch(/^\s+join\s+install the agent/m);
    // check-config loads the agent's validation chunk, which must be in the tree too.
    const dir = configDir([{ apiVersion: 'herald.dev/v1alpha1', kind: 'Receiver', metadata: { name: 'hook', labels: { type: 'global' } }, spec: { webhook: { url: 42 } } }]);
    const checked = spawnSync(process.execPath, [join(app, 'ctl.js'), 'check-config', dir], { cwd: dirname(app), env: { ...process.env, ...CLEAN_ENV }, encoding: 'utf8' });
    expect(checked.stderr).toBe('');
    expect(checked.stdout).toContain('Receiver hook: objects.yaml: spec.webhook.url: Expected string');
    expect(checked.status).toBe(1);
  });

  it('herald-host (cli.js) from a copy is healthy and ready against a real cluster', async () => {
    set = await startClusters({ names: ['image-host'] });
    const app = install(join(built, 'host'));
    const before = snapshot(app);
    const port = await freePort();
    const args = [join(app, 'cli.js'), '--kubeconfig', set.get('image-host').kubeconfigPath, '--port', String(port), '--host', '127.0.0.1', '--leader-elect', 'false', '--log-level', 'warn'];
    const child = spawn(process.execPath, args, { cwd: dirname(app), env: { ...process.env, ...CLEAN_ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const status = (path: string): Promise<number> => fetch(`http://127.0.0.1:${port}${path}`).then((r) => r.status, () => 0);
    await until('/healthz and /readyz to answer 200', async () => (await status('/healthz')) === 200 && (await status('/readyz')) === 200, { detail: () => `exit ${child.exitCode}\n${out}` });
    expect(out).not.toMatch(/Cannot find module|Dynamic require/i);
    expect(snapshot(app)).toEqual(before);
  }, 240_000);
});
