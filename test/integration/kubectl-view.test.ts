/**
 * What kubectl shows comes from the server: discovery (short names, the `herald` category behind
 * `kubectl get herald`) and server-side Table rendering (printer columns).
 */
import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, inject, it } from 'vitest';
import { KINDS } from '../../shared/src/index.js';
import { rawRequest } from '../harness/crds.js';
import { apply } from '../support/manifests.js';

const kc = new KubeConfig();
kc.loadFromFile(inject('kubeconfigs')['host'] as string);

interface Resource {
  name: string;
  kind: string;
  shortNames?: string[];
  categories?: string[];
}

describe('kubectl view of Herald kinds', () => {
  it('discovery lists all nine kinds in the herald category with their short names', async () => {
    const list = JSON.parse(await rawRequest(kc, 'GET', '/apis/herald.dev/v1alpha1')) as { resources: Resource[] };
    const top = list.resources.filter((r) => !r.name.includes('/'));
    expect(top.map((r) => r.kind).sort()).toEqual(KINDS.map((k) => k.kind).sort());
    for (const r of top) {
      expect(r.categories, r.kind).toEqual(['herald']);
      expect(r.shortNames, r.kind).toEqual(KINDS.find((k) => k.kind === r.kind)?.shortNames);
    }
  });

  it('renders Ready, Clusters, Delivery and Age columns, filled from status', async () => {
    await apply(kc, {
      apiVersion: 'herald.dev/v1alpha1',
      kind: 'Receiver',
      metadata: { name: 'columns-demo', labels: { type: 'global' } },
      spec: { slack: { channels: ['#x'] } },
    } as never);
    await rawRequest(kc, 'PATCH', '/apis/herald.dev/v1alpha1/receivers/columns-demo/status', {
      contentType: 'application/merge-patch+json',
      body: JSON.stringify({
        status: {
          summary: '1/2',
          conditions: [
            { type: 'Propagated', status: 'False', reason: 'ClusterNotReady', message: 'member-b is not ready', lastTransitionTime: new Date().toISOString() },
            { type: 'Delivering', status: 'False', reason: 'SendsFailing', message: 'member-a: HTTP 500', lastTransitionTime: new Date().toISOString() },
          ],
        },
      }),
    });
    const table = JSON.parse(
      await rawRequest(kc, 'GET', '/apis/herald.dev/v1alpha1/receivers/columns-demo', {
        accept: 'application/json;as=Table;v=v1;g=meta.k8s.io',
      }),
    ) as { columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
    const names = table.columnDefinitions.map((c) => c.name);
    expect(names).toEqual(['Name', 'Type', 'Ready', 'Clusters', 'Delivery', 'Age']);
    const cells = table.rows[0]?.cells ?? [];
    expect(cells.slice(0, 5)).toEqual(['columns-demo', 'global', 'False', '1/2', 'False']);
    await rawRequest(kc, 'DELETE', '/apis/herald.dev/v1alpha1/receivers/columns-demo');
  });
});
