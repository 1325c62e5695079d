/**
 * What the host side of Herald is (pure): the CRDs of every Herald kind, the herald-system and
 * herald-clusters namespaces, the herald-host ServiceAccount with least-privilege RBAC
 * (host-rbac.ts), its Deployment (replicas with leader election), Service (admin API, health and
 * metrics on 19094) and PodDisruptionBudget. `heraldctl init` applies this; the chart
 * charts/herald renders the same objects, which a test compares.
 */
import { KINDS, crdFor } from '@herald/shared';
import { CLUSTERS_NAMESPACE } from '../propagation/secret-policy.js';
import { KEEP, PART_OF, type Manifest } from './manifests.js';
import { DEFAULT_HOST_IMAGE } from './image.js';
import { NAMESPACE, type PolicyRule } from './rbac.js';
import { EVENTS_NAMESPACE, HOST, hostClusterRules, hostEventRules, hostKubeconfigRules, hostLeaseRules, hostSecretRules } from './host-rbac.js';

export { HOST };
const HOST_PORT = 19094;
/** The release image of this version (image.ts), unless `init --image` says otherwise. */
export const HOST_IMAGE = DEFAULT_HOST_IMAGE;

export interface HostInstall {
  image: string;
  /** Replicas campaign for the leader Lease; one propagates, the others stand by. */
  replicas: number;
  /** herald-host --secret-namespace: where the Secrets Herald objects reference may be read (they must exist). */
  secretNamespaces: readonly string[];
  /** A Secret in herald-system whose key `token` holds admin API bearer tokens (one a line). */
  adminTokenSecret?: string;
}

export const HOST_DEFAULTS: HostInstall = { image: HOST_IMAGE, replicas: 2, secretNamespaces: [NAMESPACE] };

const RBAC = 'rbac.authorization.k8s.io';
const labels = (): Record<string, string> => ({ ...PART_OF, 'app.kubernetes.io/name': HOST });
const selector = { 'app.kubernetes.io/name': HOST };

function hostCrds(): Manifest[] {
  // crdFor gives the CRD as a plain object type; it is a Manifest (apiVersion, kind, metadata.name).
  return KINDS.map((def) => crdFor(def) as unknown as Manifest);
}

/** A (Cluster)Role with these rules and its binding to herald-host. */
function granted(kind: 'ClusterRole' | 'Role', name: string, namespace: string | undefined, rules: PolicyRule[]): Manifest[] {
  const metadata = { name, ...(namespace ? { namespace } : {}), labels: labels() };
  return [
    { apiVersion: `${RBAC}/v1`, kind, metadata, rules },
    {
      apiVersion: `${RBAC}/v1`,
      kind: `${kind}Binding`,
      metadata,
      roleRef: { apiGroup: RBAC, kind, name },
      subjects: [{ kind: 'ServiceAccount', name: HOST, namespace: NAMESPACE }],
    },
  ];
}

/** The ServiceAccount and every grant it has: nothing else on the host is granted to herald-host. */
function hostRbac(secretNamespaces: readonly string[]): Manifest[] {
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: HOST, namespace: NAMESPACE, labels: labels() } },
    ...granted('ClusterRole', HOST, undefined, hostClusterRules()),
    ...granted('Role', `${HOST}-lease`, NAMESPACE, hostLeaseRules()),
    ...granted('Role', `${HOST}-kubeconfigs`, CLUSTERS_NAMESPACE, hostKubeconfigRules()),
    ...granted('Role', `${HOST}-events`, EVENTS_NAMESPACE, hostEventRules()),
    ...[...new Set(secretNamespaces)].flatMap((ns) => granted('Role', `${HOST}-secrets`, ns, hostSecretRules())),
  ];
}

const ADMIN_DIR = '/etc/herald/admin';

function container(o: HostInstall): Record<string, unknown> {
  const probe = (path: string) => ({ httpGet: { path, port: HOST_PORT }, periodSeconds: 10 });
  const admin = o.adminTokenSecret ? ['--admin-token-file', `${ADMIN_DIR}/token`] : [];
  return {
    name: 'host',
    image: o.image,
    args: ['--port', String(HOST_PORT), '--lease-namespace', NAMESPACE, ...[...new Set(o.secretNamespaces)].flatMap((ns) => ['--secret-namespace', ns]), ...admin],
    ports: [{ name: 'http', containerPort: HOST_PORT }],
    // The replica's identity in the leader Lease.
    env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
    // A standby is ready too: every replica serves the admin API and metrics.
    readinessProbe: probe('/readyz'),
    livenessProbe: { ...probe('/healthz'), failureThreshold: 6 },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
    ...(o.adminTokenSecret ? { volumeMounts: [{ name: 'admin-token', mountPath: ADMIN_DIR, readOnly: true }] } : {}),
  };
}

/** The Deployment, its Service and PodDisruptionBudget. */
function hostWorkload(o: HostInstall): Manifest[] {
  const metadata = { name: HOST, namespace: NAMESPACE, labels: labels() };
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata,
      spec: {
        replicas: o.replicas,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: labels() },
          spec: {
            serviceAccountName: HOST,
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            terminationGracePeriodSeconds: 30,
            // Replicas on different nodes, where there are enough: a node going down leaves a standby.
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } } }],
              },
            },
            containers: [container(o)],
            ...(o.adminTokenSecret ? { volumes: [{ name: 'admin-token', secret: { secretName: o.adminTokenSecret, defaultMode: 0o440 } }] } : {}),
          },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata, spec: { selector, ports: [{ name: 'http', port: HOST_PORT, targetPort: HOST_PORT }] } },
    // A drain keeps one replica: leadership moves to it instead of propagation stopping.
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata, spec: { minAvailable: 1, selector: { matchLabels: selector } } },
  ];
}

/** Everything on the host, in the order it must be applied. */
export function hostManifests(o: HostInstall): Manifest[] {
  return [
    ...hostCrds(),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE, labels: PART_OF } },
    // The kubeconfigs of the members; no Herald object may reference a Secret here.
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: CLUSTERS_NAMESPACE, labels: PART_OF, annotations: KEEP } },
    ...hostRbac(o.secretNamespaces),
    ...hostWorkload(o),
  ];
}
