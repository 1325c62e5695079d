/**
 * `heraldctl join`: installs the agent on a member and registers the member with the host.
 * Re-running it is safe (everything is server-side applied). The host reaches the member as the
 * herald-propagator ServiceAccount with a token from the TokenRequest API (or, if asked, with the
 * admin's kubeconfig as given); the token is tried before it is stored. The kubeconfig Secret lives
 * in a namespace of its own on the host (herald-clusters), one no Herald object may reference.
 */
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { GROUP, VERSION, type MemberCluster } from '@herald/shared';
import { DEFAULT_SECRET_NAMESPACE } from '@herald/shared/credential';
import { applyObject, KubeError, rawRequest } from '@herald/shared/k8s';
import { CLUSTERS_NAMESPACE } from '../propagation/secret-policy.js';
import { tokenKubeconfig, type ClusterEndpoint } from './kubeconfig.js';
import { alertmanagerSnippet, copyIngestToken, ensureIngestToken, INGEST_TOKEN_COPY } from './ingest-token.js';
import { INGEST_TOKEN_SECRET, memberManifests, secretNamespacesOf, type AgentInstall, type Manifest } from './manifests.js';
import { checkHostForJoin, namespaceState } from './preflight.js';
import { NAMESPACE, PROPAGATOR } from './rbac.js';

export const FIELD_MANAGER = 'heraldctl';

export interface JoinOptions extends Omit<AgentInstall, 'cluster'> {
  name: string;
  host: KubeConfig;
  member: KubeConfig;
  labels: Record<string, string>;
  credentials: 'token' | 'kubeconfig';
  /** Namespaces to copy the ingest token into (Secret herald-ingest-token), for Alertmanagers that send it. */
  alertmanagerTokenNamespaces: readonly string[];
  tokenTtlHours: number;
  /** How long to wait for a terminating herald-system namespace on the member (an earlier unjoin) to go. */
  namespaceTimeoutMs?: number;
  say: (line: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitEstablished(kc: KubeConfig, names: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const name of names) {
    for (;;) {
      const crd = JSON.parse(await rawRequest(kc, 'GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`)) as { status?: { conditions?: { type: string; status: string }[] } };
      if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new Error(`CRD ${name} is not Established after ${timeoutMs / 1000} s`);
      await sleep(200);
    }
  }
}

/** Where the member's API server is, as the admin's kubeconfig says. */
export function endpointOf(kc: KubeConfig): ClusterEndpoint {
  const c = kc.getCurrentCluster();
  if (!c) throw new Error('the member kubeconfig has no current cluster');
  const caData = c.caData ?? (c.caFile ? readFileSync(c.caFile).toString('base64') : undefined);
  return { server: c.server, ...(caData ? { caData } : {}), ...(c.tlsServerName ? { tlsServerName: c.tlsServerName } : {}), ...(c.skipTLSVerify ? { insecureSkipTlsVerify: true } : {}) };
}

type InstallOptions = Omit<JoinOptions, 'host' | 'member' | 'say' | 'credentials' | 'tokenTtlHours' | 'namespaceTimeoutMs'>;

const install = (o: InstallOptions): Manifest[] =>
  memberManifests({
    cluster: o.name,
    image: o.image,
    secretNamespaces: o.secretNamespaces,
    storage: o.storage,
    alertmanagers: o.alertmanagers,
    ...(o.tlsSecret ? { tlsSecret: o.tlsSecret } : {}),
  });

/** What join writes on the host (pure): namespaces, the kubeconfig Secret, the MemberCluster. */
function hostObjects(o: Pick<JoinOptions, 'name' | 'labels' | 'secretNamespaces'>, creds: { kubeconfig?: string; stringData?: string; expires?: string }): Manifest[] {
  const secretName = `${o.name}-kubeconfig`;
  return [
    // herald-system: the host's Lease, and the Secrets Herald objects reference by default.
    ...[NAMESPACE, CLUSTERS_NAMESPACE].map((ns) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })),
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: secretName, namespace: CLUSTERS_NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'herald', 'herald.dev/member': o.name }, annotations: creds.expires ? { 'herald.dev/token-expires': creds.expires } : {} },
      type: 'Opaque',
      ...(creds.kubeconfig !== undefined ? { data: { kubeconfig: Buffer.from(creds.kubeconfig).toString('base64') } } : { stringData: { kubeconfig: creds.stringData ?? '' } }),
    },
    {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'MemberCluster',
      metadata: { name: o.name, labels: o.labels },
      spec: {
        kubeconfigSecretRef: { namespace: CLUSTERS_NAMESPACE, name: secretName, key: 'kubeconfig' },
        // Where the propagator has a Role for Secrets: the host writes referenced Secrets only there.
        secretNamespaces: secretNamespacesOf(o.secretNamespaces),
      },
    },
  ];
}

/** Everything join would apply, member then host, with placeholders where join makes a secret value (--dry-run). */
export function joinPlan(o: InstallOptions & Pick<JoinOptions, 'credentials'>): { member: Manifest[]; host: Manifest[] } {
  const manifests = install(o);
  const placeholder = (what: string): Manifest => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: what, namespace: NAMESPACE }, type: 'Opaque', stringData: { token: '<random, made once by join and kept>' } });
  const copies = o.alertmanagerTokenNamespaces.map((ns): Manifest => ({ ...placeholder(INGEST_TOKEN_COPY), metadata: { name: INGEST_TOKEN_COPY, namespace: ns } }));
  const at = manifests.findIndex((m) => m.kind === 'Namespace') + 1;
  const member = [...manifests.slice(0, at), placeholder(INGEST_TOKEN_SECRET), ...manifests.slice(at), ...copies];
  const kubeconfig = o.credentials === 'token' ? '<kubeconfig with a TokenRequest token of herald-propagator, made by join>' : '<the member kubeconfig as given>';
  return { member, host: hostObjects(o, { stringData: kubeconfig }) };
}

/** Waits for a herald-system namespace being deleted (an earlier unjoin) to be gone: applying into it would fail. */
async function waitNamespaceGone(o: JoinOptions): Promise<void> {
  if ((await namespaceState(o.member)) !== 'terminating') return;
  const timeoutMs = o.namespaceTimeoutMs ?? 120_000;
  o.say(`${o.name}: namespace ${NAMESPACE} is being deleted (an earlier unjoin?); waiting up to ${Math.round(timeoutMs / 1000)} s for it to go`);
  const deadline = Date.now() + timeoutMs;
  while ((await namespaceState(o.member)) === 'terminating') {
    if (Date.now() > deadline) {
      throw new Error(`namespace ${NAMESPACE} on ${o.name} is still terminating after ${Math.round(timeoutMs / 1000)} s: see what holds it (kubectl get ns ${NAMESPACE} -o yaml: status.conditions), then re-run join (--timeout waits longer)`);
    }
    await sleep(500);
  }
}

async function installOnMember(o: JoinOptions): Promise<void> {
  const manifests = install(o);
  const crds = manifests.filter((m) => m.kind === 'CustomResourceDefinition');
  for (const m of crds) await applyObject(o.member, m, { fieldManager: FIELD_MANAGER });
  await waitEstablished(o.member, crds.map((c) => c.metadata.name));
  o.say(`${o.name}: ${crds.length} CRDs installed and Established`);
  const rest = manifests.filter((m) => m.kind !== 'CustomResourceDefinition');
  const [namespace, ...others] = rest;
  if (namespace) await applyObject(o.member, namespace, { fieldManager: FIELD_MANAGER });
  // The agent's Deployment mounts the token: it is there before the Deployment is.
  const ingest = await ensureIngestToken(o.member);
  o.say(`${o.name}: ingest token ${ingest.created ? 'created in' : 'kept in'} Secret ${NAMESPACE}/${INGEST_TOKEN_SECRET}`);
  for (const m of others) await applyObject(o.member, m, { fieldManager: FIELD_MANAGER });
  o.say(`${o.name}: ${rest.map((m: Manifest) => `${m.kind}/${m.metadata.name}`).join(', ')} applied`);
  await copyIngestToken(o.member, ingest.token, o.alertmanagerTokenNamespaces, FIELD_MANAGER);
  for (const ns of o.alertmanagerTokenNamespaces) o.say(`${o.name}: ingest token copied to Secret ${ns}/${INGEST_TOKEN_COPY}`);
}

/** A token for the propagator, and the kubeconfig the host will use; checked against the member. */
async function propagatorKubeconfig(o: JoinOptions): Promise<{ kubeconfig: string; expires?: string }> {
  if (o.credentials === 'kubeconfig') return { kubeconfig: o.member.exportConfig() };
  const request = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: o.tokenTtlHours * 3600 } };
  const answer = JSON.parse(
    await rawRequest(o.member, 'POST', `/api/v1/namespaces/${NAMESPACE}/serviceaccounts/${PROPAGATOR}/token`, { body: JSON.stringify(request) }),
  ) as { status: { token: string; expirationTimestamp: string } };
  const kubeconfig = tokenKubeconfig({ cluster: o.name, endpoint: endpointOf(o.member), user: PROPAGATOR, token: answer.status.token });
  const check = new KubeConfig();
  check.loadFromString(kubeconfig);
  await rawRequest(check, 'GET', `/apis/${GROUP}/${VERSION}/receivers?limit=1`).catch((err: unknown) => {
    throw new Error(`the ${PROPAGATOR} token does not work on ${o.name}: ${(err as Error).message}`);
  });
  return { kubeconfig, expires: answer.status.expirationTimestamp };
}

/** Where the MemberCluster's kubeconfig Secret is now (`namespace/name`), if it is registered. */
async function registeredKubeconfig(o: JoinOptions): Promise<string | undefined> {
  const text = await rawRequest(o.host, 'GET', `/apis/${GROUP}/${VERSION}/memberclusters/${o.name}`).catch((err: unknown) => {
    if (err instanceof KubeError && err.status === 404) return undefined;
    throw err;
  });
  const ref = text === undefined ? undefined : (JSON.parse(text) as MemberCluster).spec.kubeconfigSecretRef;
  return ref ? `${ref.namespace || DEFAULT_SECRET_NAMESPACE}/${ref.name}` : undefined;
}

async function registerOnHost(o: JoinOptions, creds: { kubeconfig: string; expires?: string }): Promise<void> {
  const secretName = `${o.name}-kubeconfig`;
  const before = await registeredKubeconfig(o);
  for (const m of hostObjects(o, creds)) await applyObject(o.host, m, { fieldManager: FIELD_MANAGER, plurals: { MemberCluster: 'memberclusters' } });
  o.say(`host: Secret ${CLUSTERS_NAMESPACE}/${secretName} and MemberCluster ${o.name} applied${creds.expires ? ` (token expires ${creds.expires}; re-run join to renew it)` : ''}`);
  // Registered the old way (beside the Secrets Herald objects may reference): the old copy goes —
  // only the one an earlier join wrote, whatever else the MemberCluster was edited to name.
  if (before !== undefined && before !== `${CLUSTERS_NAMESPACE}/${secretName}`) {
    if (before !== `${NAMESPACE}/${secretName}`) {
      o.say(`host: the MemberCluster named the kubeconfig Secret ${before}, which join did not write; it now names ${CLUSTERS_NAMESPACE}/${secretName}, and ${before} is left as it is`);
      return;
    }
    const [ns, name] = before.split('/') as [string, string];
    await rawRequest(o.host, 'DELETE', `/api/v1/namespaces/${ns}/secrets/${name}`).catch((err: unknown) => {
      if (!(err instanceof KubeError && err.status === 404)) throw err;
    });
    o.say(`host: kubeconfig Secret moved from ${before} to ${CLUSTERS_NAMESPACE}/${secretName} (no Herald object may reference it there); ${before} deleted`);
  }
}

export async function join(o: JoinOptions): Promise<void> {
  await rawRequest(o.member, 'GET', '/version', { timeoutMs: 10_000 }).catch((err: unknown) => {
    throw new Error(`cannot reach member ${o.name}: ${(err as Error).message}`);
  });
  // The host first: a host that cannot take the registration must not leave an install (and a token) on the member.
  await checkHostForJoin(o.host);
  await waitNamespaceGone(o);
  await installOnMember(o);
  const creds = await propagatorKubeconfig(o);
  await registerOnHost(o, creds);
  o.say(`${o.name} joined: watch it with kubectl get memberclusters ${o.name}`);
  o.say(`\nPoint ${o.name}'s Alertmanager at the agent (its API refuses unauthenticated requests):\n`);
  o.say(alertmanagerSnippet({ tls: o.tlsSecret !== undefined, serviceAccounts: o.alertmanagers.length > 0, tokenCopies: o.alertmanagerTokenNamespaces }));
}
