/** Installs crds/ into a cluster and waits until every CRD is Established and served. */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  KubeConfig} from '@kubernetes/client-node';
import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { waitFor } from './net.js';
import { rawRequest } from '../../shared/src/k8s/raw.js';

async function readCrds(dir: string): Promise<V1CustomResourceDefinition[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
  const docs = await Promise.all(files.map(async (f) => parseAllDocuments(await readFile(join(dir, f), 'utf8'))));
  return docs.flat().map((d) => d.toJS() as V1CustomResourceDefinition);
}

const established = (crd: V1CustomResourceDefinition): boolean =>
  crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;

/**
 * Server-side applies each CRD (so re-running is harmless) and waits for it to be usable.
 * The CRDs go over the wire as written: client-node's typed serializer expects its camelCase model
 * and silently drops keys such as `x-kubernetes-validations` from a plain object.
 */
export async function installCrds(kc: KubeConfig, dir: string, timeoutMs = 60_000): Promise<string[]> {
  const crds = await readCrds(dir);
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  await Promise.all(
    crds.map((crd) =>
      rawRequest(kc, 'PATCH', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata?.name}?fieldManager=herald-harness&force=true`, {
        contentType: 'application/apply-patch+yaml',
        body: JSON.stringify(crd),
      }),
    ),
  );
  const names = crds.map((c) => c.metadata?.name ?? '');
  await waitFor(
    async () => {
      const all = await Promise.all(names.map((name) => ext.readCustomResourceDefinition({ name })));
      return all.every(established);
    },
    { timeoutMs, describe: () => `CRDs not Established: ${names.join(', ')}` },
  );
  // Established can precede serving by a moment; wait until each resource can be listed.
  const custom = kc.makeApiClient(CustomObjectsApi);
  await waitFor(
    async () => {
      for (const crd of crds) {
        const { group, names: crdNames, versions } = crd.spec;
        for (const v of versions.filter((x) => x.served)) {
          await custom.listClusterCustomObject({ group, version: v.name, plural: crdNames.plural, limit: 1 });
        }
      }
      return true;
    },
    { timeoutMs, describe: () => `CRDs not served: ${names.join(', ')}` },
  );
  return names;
}

export { rawRequest };
