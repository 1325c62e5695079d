/**
 * The host's admin API is authenticated and authorized like the agent's admin role, on a real API
 * server: a static admin token, or a Kubernetes identity (TokenReview) allowed, by a
 * SubjectAccessReview, to list what the route shows. Nobody sees through the API what RBAC would
 * not show them with kubectl, and no spelling of the path gets past the check.
 */
import { connect } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KINDS as HERALD_KINDS, PROPAGATED_KINDS } from '../../shared/src/index.js';
import { rawRequest } from '../../shared/src/k8s/raw.js';
import { startClusters, type ClusterSet } from '../harness/clusters.js';
import { callerToken } from '../support/callers.js';
import { startHost, type HostProcess } from '../support/host-process.js';

/** Every kind the host propagates, by plural. */
const KINDS = PROPAGATED_KINDS.map((k) => HERALD_KINDS.find((d) => d.kind === k)?.plural ?? '');
let set: ClusterSet;
let kc: KubeConfig;
let host: HostProcess;
const tokens: Record<string, string> = {};

/** A caller allowed to get and list these herald.dev resources (none: nothing). */
const caller = (name: string, resources: string[]): Promise<string> =>
  callerToken(kc, name, resources.length > 0 ? [{ apiGroups: ['herald.dev'], resources, verbs: ['get', 'list'] }] : []);

const get = (path: string, who?: string): Promise<Response> => fetch(`${host.url}${path}`, who ? { headers: { authorization: `Bearer ${tokens[who] ?? who}` } } : {});

beforeAll(async () => {
  set = await startClusters({ names: ['admin-host'] });
  kc = set.kubeConfig('admin-host');
  await rawRequest(kc, 'POST', '/api/v1/namespaces', { body: JSON.stringify({ metadata: { name: 'ops' } }) });
  await rawRequest(kc, 'POST', '/api/v1/namespaces', { body: JSON.stringify({ metadata: { name: 'herald-system' } }) });
  tokens['viewer'] = await caller('viewer', ['memberclusters', ...KINDS]);
  tokens['clusters-only'] = await caller('clusters-only', ['memberclusters']);
  tokens['nobody'] = await caller('nobody', []);
  host = await startHost({ kubeconfig: set.get('admin-host').kubeconfigPath, id: 'admin-auth', args: ['--leader-elect', 'false', '--protect-metrics', '--auth-cache-seconds', '1'] });
}, 120_000);

afterAll(async () => {
  await host?.stop();
  await set?.stop();
});

describe('the host admin API', () => {
  it('takes the static admin token', async () => {
    expect((await fetch(`${host.url}/api/v1/clusters`, { headers: host.headers() })).status).toBe(200);
    expect((await fetch(`${host.url}/api/v1/propagation`, { headers: host.headers() })).status).toBe(200);
  });

  it('takes a Kubernetes identity only for what RBAC lets it list', async () => {
    expect((await get('/api/v1/clusters', 'viewer')).status).toBe(200);
    expect((await get('/api/v1/propagation', 'viewer')).status).toBe(200);
    expect((await get('/api/v1/clusters', 'clusters-only')).status).toBe(200);
    const partial = await get('/api/v1/propagation', 'clusters-only');
    expect(partial.status).toBe(403);
    expect(((await partial.json()) as { message: string }).message).toBe('system:serviceaccount:ops:clusters-only may not list configs.herald.dev');
    expect((await get('/api/v1/clusters', 'nobody')).status).toBe(403);
  });

  it('refuses no token, a made-up token, and a percent-escaped path without a token', async () => {
    expect((await get('/api/v1/clusters')).status).toBe(401);
    expect((await get('/api/v1/clusters', 'not-a-token-anyone-issued')).status).toBe(401);
    const { port } = new URL(host.url);
    const status = await new Promise<string>((resolve, reject) => {
      const s = connect(Number(port), '127.0.0.1', () => s.end('GET /%61pi/v1/clusters HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
      let answer = '';
      s.on('data', (c: Buffer) => (answer += c.toString()));
      s.on('end', () => resolve(answer.split('\r\n')[0] ?? ''));
      s.on('error', reject);
    });
    expect(status).toBe('HTTP/1.1 401 Unauthorized');
  });

  it('keeps health open, and /metrics behind the admin token when protected', async () => {
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/readyz')).status).toBe(200);
    expect((await get('/metrics')).status).toBe(401);
    expect((await get('/metrics', 'viewer')).status).toBe(403);
    expect((await fetch(`${host.url}/metrics`, { headers: host.headers() })).status).toBe(200);
  });
});
