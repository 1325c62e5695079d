/**
 * The agent authenticates Kubernetes callers on a real API server: a ServiceAccount token is
 * checked with TokenReview and allowed by a SubjectAccessReview on herald.dev agents/<role> in the
 * agent's namespace, so an in-cluster Alertmanager posts alerts with its projected token while
 * the admin routes stay closed to it. The agent runs as its own ServiceAccount, whose RBAC allows
 * the reviews and nothing about the callers.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { rawRequest } from '../../shared/src/k8s/raw.js';
import { agentKubeconfig } from '../support/agent-identity.js';
import { startAgent, type AgentProcess } from '../wire/agent-process.js';

const kc = new KubeConfig();
kc.loadFromFile(inject('kubeconfigs')['member-a'] as string);
const RBAC = '/apis/rbac.authorization.k8s.io/v1';
let agent: AgentProcess;
const tokens: Record<string, string> = {};

const create = (path: string, body: unknown): Promise<unknown> =>
  rawRequest(kc, 'POST', path, { body: JSON.stringify(body) }).catch((err: { status?: number }) => {
    if (err.status !== 409) throw err;
  });

/** A ServiceAccount in `namespace`, granted `verbs` on agents/<subresource> in herald-system (none: nothing), and a token of it. */
async function caller(namespace: string, name: string, grants: { subresource: string; verbs: string[] }[]): Promise<string> {
  await create('/api/v1/namespaces', { metadata: { name: namespace } });
  await create(`/api/v1/namespaces/${namespace}/serviceaccounts`, { metadata: { name } });
  if (grants.length > 0) {
    const role = `herald-test-${namespace}-${name}`;
    await create(`${RBAC}/namespaces/herald-system/roles`, { metadata: { name: role }, rules: grants.map((g) => ({ apiGroups: ['herald.dev'], resources: [`agents/${g.subresource}`], verbs: g.verbs })) });
    await create(`${RBAC}/namespaces/herald-system/rolebindings`, {
      metadata: { name: role },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    });
  }
  const issued = JSON.parse(
    await rawRequest(kc, 'POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, { body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } }) }),
  ) as { status: { token: string } };
  return issued.status.token;
}

const as = (who: string): Record<string, string> => ({ 'content-type': 'application/json', authorization: `Bearer ${tokens[who] ?? ''}` });
const alerts = JSON.stringify({ version: '4', status: 'firing', alerts: [{ labels: { alertname: 'FromAlertmanager' } }] });

beforeAll(async () => {
  await create('/api/v1/namespaces', { metadata: { name: 'herald-system' } });
  const cluster = kc.getCurrentCluster();
  const caPem = Buffer.from(cluster?.caData ?? '', 'base64').toString('utf8');
  const agentConfig = await agentKubeconfig(kc, { name: 'member-a', url: cluster?.server ?? '', caPem }, join(mkdtempSync(join(tmpdir(), 'herald-kube-auth-')), 'agent.kubeconfig'));
  tokens['alertmanager'] = await caller('monitoring', 'alertmanager', [{ subresource: 'ingest', verbs: ['create'] }]);
  tokens['nobody'] = await caller('monitoring', 'nobody', []);
  tokens['reader'] = await caller('ops', 'reader', [{ subresource: 'admin', verbs: ['get'] }]);
  tokens['oncall'] = await caller('ops', 'oncall', [{ subresource: 'admin', verbs: ['get', 'create'] }]);
  // Only Kubernetes tokens: no static token files.
  agent = await startAgent({ kubeconfig: agentConfig, tokens: false, args: ['--auth-cache-seconds', '3'] });
});

afterAll(async () => {
  await agent?.stop();
});

describe('Kubernetes authentication of the agent’s callers', () => {
  it('takes alerts from Alertmanager’s ServiceAccount token, and keeps the admin routes closed to it', async () => {
    expect((await fetch(`${agent.url}/api/v2/alerts`, { method: 'POST', headers: as('alertmanager'), body: alerts })).status).toBe(200);
    const verify = await fetch(`${agent.url}/api/v2/verify`, { method: 'POST', headers: as('alertmanager'), body: JSON.stringify({ receiver: 'any' }) });
    expect(verify.status).toBe(403);
    expect(((await verify.json()) as { message: string }).message).toBe('system:serviceaccount:monitoring:alertmanager may not create agents/admin.herald.dev herald-agent in namespace herald-system');
    expect((await fetch(`${agent.url}/api/v2/history`, { headers: as('alertmanager') })).status).toBe(403);
  });

  it('refuses a valid token whose identity has no grant, and a token the API server does not know', async () => {
    const res = await fetch(`${agent.url}/api/v2/alerts`, { method: 'POST', headers: as('nobody'), body: alerts });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toContain('system:serviceaccount:monitoring:nobody may not create agents/ingest.herald.dev');
    const forged = await fetch(`${agent.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${(tokens['alertmanager'] ?? '').slice(0, -4)}AAAA` }, body: alerts });
    expect(forged.status).toBe(401);
  });

  it('lets an admin read with get and act with create, each by its own grant', async () => {
    expect((await fetch(`${agent.url}/api/v2/history`, { headers: as('reader') })).status).toBe(200);
    expect((await fetch(`${agent.url}/api/v2/dead-letters`, { headers: as('reader') })).status).toBe(200);
    expect((await fetch(`${agent.url}/api/v2/verify`, { method: 'POST', headers: as('reader'), body: JSON.stringify({ receiver: 'nobody-here' }) })).status).toBe(403);
    expect((await fetch(`${agent.url}/api/v2/verify`, { method: 'POST', headers: as('oncall'), body: JSON.stringify({ receiver: 'nobody-here' }) })).status).toBe(404);
    expect((await fetch(`${agent.url}/api/v2/alerts`, { method: 'POST', headers: as('oncall'), body: alerts })).status).toBe(403);
  });

  it('sees a grant taken away once its cached answer expires', async () => {
    await rawRequest(kc, 'DELETE', `${RBAC}/namespaces/herald-system/rolebindings/herald-test-ops-reader`);
    // Answers are kept for --auth-cache-seconds (3 here), so the change shows within that.
    const deadline = Date.now() + 60_000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      status = (await fetch(`${agent.url}/api/v2/history`, { headers: as('reader') })).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 2000));
    }
    expect(status).toBe(403);
  });
});
