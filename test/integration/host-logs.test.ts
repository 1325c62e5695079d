/**
 * The host's log as operators read it, from the real herald-host on a real host API server with a
 * member: the same JSON shape as the agent's (level names, ISO times, a component: host, leader,
 * propagation), probes and scrapes only at debug, `--log-format text` for people, and a wrong
 * --log-level or --log-format refused in one line listing what is accepted.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClusters, type ClusterSet } from '../harness/clusters.js';
import { rawRequest } from '../harness/crds.js';
import { registerMembers } from '../support/federation.js';
import { apply } from '../support/manifests.js';
import { eventually } from '../support/eventually.js';
import { startHost, type HostProcess } from '../support/host-process.js';
import { parseLogLines } from '../support/log-lines.js';

let set: ClusterSet;
const hosts: HostProcess[] = [];
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const CLI = fileURLToPath(new URL('../../host/src/cli.ts', import.meta.url));


const lines = (h: HostProcess): string[] => h.output().split('\n').filter((l) => l.trim() !== '');

beforeAll(async () => {
  set = await startClusters({ names: ['hub', 'member-a'] });
  await registerMembers(set.kubeConfig('hub'), set, { 'member-a': { env: 'prod' } });
}, 120_000);

afterAll(async () => {
  for (const h of hosts) if (!h.exited) await h.kill();
  await set?.stop();
});

/** A host that leads and has synced member-a; stopped (releasing the Lease) when the test is done. */
async function syncedHost(id: string, args: string[]): Promise<HostProcess> {
  const host = await startHost({ kubeconfig: set.get('hub').kubeconfigPath, id, args: ['--lease-seconds', '4', '--resync-seconds', '2', ...args] });
  hosts.push(host);
  await eventually(async () => {
    const scrape = await (await fetch(`${host.url}/metrics`)).text();
    return /^herald_member_last_sync_timestamp_seconds\{cluster="member-a"\} [1-9]/m.test(scrape) || undefined;
  }, host.output);
  return host;
}

describe('host logs', () => {
  it('are JSON lines of one shape, naming host, leader and propagation, with probes at debug', async () => {
    const host = await syncedHost('host-json', ['--log-level', 'debug']);
    // A member copy deleted by hand: propagation repairs it and says so.
    const member = set.kubeConfig('member-a');
    const path = '/apis/herald.dev/v1alpha1/receivers/logged';
    const receiver = { apiVersion: 'herald.dev/v1alpha1', kind: 'Receiver', metadata: { name: 'logged', labels: { type: 'global' } }, spec: { webhook: { url: 'http://logged.example/' } } };
    await apply(set.kubeConfig('hub'), receiver);
    await eventually(() => rawRequest(member, 'GET', path).then(() => true, () => undefined), host.output);
    await rawRequest(member, 'DELETE', path);
    await eventually(() => (host.output().includes('"msg":"drift repaired"') ? true : undefined), host.output);
    expect((await fetch(`${host.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${host.url}/api/v1/clusters`, { headers: host.headers() })).status).toBe(200);
    await eventually(() => (host.output().includes('"path":"/api/v1/clusters"') ? true : undefined), host.output);
    await host.stop();
    const parsed = parseLogLines(host.output());
    for (const line of parsed) {
      expect(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).toContain(line.level);
      expect(line.time).toMatch(ISO);
    }
    const components = new Set(parsed.map((l) => l.component));
    expect(components).toEqual(new Set(['host', 'leader', 'propagation']));
    expect(parsed.find((l) => l.component === 'leader' && l.msg.includes('host-json leads'))?.level).toBe('info');
    expect(parsed.find((l) => l.msg === 'drift repaired')).toMatchObject({ level: 'info', component: 'propagation', cluster: 'member-a', kind: 'Receiver', name: 'logged', how: 'deleted' });
    const answered = parsed.filter((l) => l.msg === 'request answered');
    expect(new Set(answered.filter((l) => l.path === '/healthz' || l.path === '/metrics').map((l) => l.level))).toEqual(new Set(['debug']));
    expect(answered.find((l) => l.path === '/api/v1/clusters')?.level).toBe('info');
  });

  it('leave probes out at info, and read as text with --log-format text', async () => {
    const host = await syncedHost('host-text', ['--log-level', 'info', '--log-format', 'text']);
    expect((await fetch(`${host.url}/healthz`)).status).toBe(200);
    await host.stop();
    const out = lines(host);
    expect(out.some((l) => / INFO leader host-text leads \(Lease herald-system\/herald-host\)$/.test(l))).toBe(true);
    for (const line of out) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (TRACE|DEBUG|INFO|WARN|ERROR|FATAL) (host|leader|propagation) \S/);
    expect(host.output()).not.toContain('/healthz');
    expect(host.output()).not.toContain('/metrics');
  });

  it('refuses a level or format it does not know, listing the accepted ones', async () => {
    const run = (args: string[]): Promise<{ code: number | null; out: string }> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--kubeconfig', set.get('hub').kubeconfigPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        child.stderr.on('data', (c: Buffer) => (out += c.toString()));
        child.once('exit', (code) => resolve({ code, out }));
      });
    const level = await run(['--log-level', 'loud']);
    expect(level.code).toBe(2);
    expect(level.out).toContain('herald-host: --log-level "loud" is not one of trace, debug, info, warn, error, fatal, silent');
    const format = await run(['--log-format', 'xml']);
    expect(format.code).toBe(2);
    expect(format.out).toContain('herald-host: --log-format "xml" is not one of json, text');
  });
});
