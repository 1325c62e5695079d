/**
 * join checks the host before it touches the member. Against a host without Herald's CRDs, join
 * used to install everything on the member, then fail with a raw `HTTP 404` and leave a one-year
 * token Secret on the host; now it says what to install and changes nothing on either side.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClusters, type ClusterSet } from '../harness/clusters.js';
import { rawRequest } from '../harness/crds.js';

const CTL = fileURLToPath(new URL('../../host/src/ctl/cli.ts', import.meta.url));
let set: ClusterSet;

beforeAll(async () => {
  set = await startClusters({ names: ['bare-host', 'member'], crds: false });
}, 120_000);
afterAll(async () => set?.stop());

function heraldctl(...args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CTL, ...args], { env: { PATH: process.env['PATH'] ?? '', HOME: '/nonexistent' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => resolve({ code, out }));
  });
}
const exists = (cluster: string, path: string): Promise<boolean> => rawRequest(set.kubeConfig(cluster), 'GET', path).then(() => true, () => false);

describe('join against a host without Herald', () => {
  it('says to install Herald on the host and touches neither cluster', async () => {
    const r = await heraldctl('join', 'm1', '--kubeconfig', set.get('bare-host').kubeconfigPath, '--member-kubeconfig', set.get('member').kubeconfigPath);
    expect(r.out).toContain('install Herald on the host first (heraldctl init');
    expect(r.out).not.toContain('HTTP 404');
    expect(r.code).toBe(1);
    // Nothing on the member: no namespace, no CRDs; nothing on the host: no kubeconfig Secret.
    expect(await exists('member', '/api/v1/namespaces/herald-system')).toBe(false);
    expect(await exists('member', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/receivers.herald.dev')).toBe(false);
    expect(await exists('bare-host', '/api/v1/namespaces/herald-clusters')).toBe(false);
    expect(await exists('bare-host', '/api/v1/namespaces/herald-system/secrets/m1-kubeconfig')).toBe(false);
  });
});
