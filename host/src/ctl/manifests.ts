/**
 * What `heraldctl join` installs on a member (pure): the CRDs of the kinds the host propagates, the
 * herald-system namespace, the agent's ServiceAccount and least-privilege RBAC, who may post to it
 * (the Role herald-ingest, bound to each Alertmanager ServiceAccount named), its data volume,
 * Deployment (authenticated: the ingest token Secret join creates, and ServiceAccount tokens) and
 * Service, and the propagator the host uses to reach the member.
 */
import { KINDS, PROPAGATED_KINDS, crdFor } from '@herald/shared';
import { AGENT, AGENT_PORT_NAME, NAMESPACE, PROPAGATOR, agentClusterRules, agentIngestRules, agentLeaseRules, agentSecretRules, propagatorAgentRules, propagatorRules, propagatorSecretRules, type PolicyRule } from './rbac.js';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface AgentInstall {
  /** The member's name: the agent stamps it (the host also injects it into Settings). */
  cluster: string;
  image: string;
  /**
   * Namespaces whose Secrets the agent may read and the propagator may write (the host's copies
   * of the Secrets Herald objects reference); herald-system is always one.
   */
  secretNamespaces: readonly string[];
  /** A PersistentVolumeClaim keeps accepted alerts across pod moves; emptyDir only across restarts. */
  storage: { kind: 'pvc'; size: string; storageClass?: string } | { kind: 'emptyDir' };
  /**
   * A kubernetes.io/tls Secret in herald-system: the agent then serves HTTPS, which the API
   * server's audit webhook needs (it sends its bearer token only over TLS).
   */
  tlsSecret?: string;
  /**
   * ServiceAccounts (Alertmanager's) allowed to post alerts with their own token: the agent checks
   * it with TokenReview and a SubjectAccessReview on agents/ingest, which the Role herald-ingest grants.
   */
  alertmanagers: readonly { namespace: string; name: string }[];
}

/** The Secret in herald-system holding the agent's static ingest token (key `token`); join creates it once. */
export const INGEST_TOKEN_SECRET = 'herald-agent-ingest-token';
/** The Role that lets an identity post alerts to the agent, and the binding join makes for --alertmanager. */
const INGEST_ROLE = 'herald-ingest';

export const PART_OF = { 'app.kubernetes.io/part-of': 'herald' };
/**
 * On namespaces Herald creates but others keep things in: `helm uninstall` of the charts, which
 * render these same objects, leaves them (kubectl and heraldctl ignore the annotation).
 */
export const KEEP = { 'helm.sh/resource-policy': 'keep' };
const labels = (component: string): Record<string, string> => ({ ...PART_OF, 'app.kubernetes.io/name': component });
export const AGENT_PORT = 19093;

function memberCrds(): Manifest[] {
  return PROPAGATED_KINDS.map((kind) => crdFor(KINDS.find((d) => d.kind === kind) as (typeof KINDS)[number]) as unknown as Manifest);
}

const RBAC = 'rbac.authorization.k8s.io';

/** A ServiceAccount's (Cluster)Role with these rules, and the binding that grants it. */
function granted(sa: string, role: { kind: 'ClusterRole' | 'Role'; name: string; namespace?: string; rules: PolicyRule[] }): Manifest[] {
  const metadata = { name: role.name, ...(role.namespace ? { namespace: role.namespace } : {}), labels: labels(sa) };
  return [
    { apiVersion: `${RBAC}/v1`, kind: role.kind, metadata, rules: role.rules },
    {
      apiVersion: `${RBAC}/v1`,
      kind: `${role.kind}Binding`,
      metadata,
      roleRef: { apiGroup: RBAC, kind: role.kind, name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: sa, namespace: NAMESPACE }],
    },
  ];
}

const serviceAccount = (name: string): Manifest => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: NAMESPACE, labels: labels(name) } });

function rbac(): Manifest[] {
  return [
    serviceAccount(AGENT),
    ...granted(AGENT, { kind: 'ClusterRole', name: AGENT, rules: agentClusterRules() }),
    ...granted(AGENT, { kind: 'Role', name: `${AGENT}-lease`, namespace: NAMESPACE, rules: agentLeaseRules() }),
    serviceAccount(PROPAGATOR),
    ...granted(PROPAGATOR, { kind: 'ClusterRole', name: PROPAGATOR, rules: propagatorRules() }),
    ...granted(PROPAGATOR, { kind: 'Role', name: `${PROPAGATOR}-agent`, namespace: NAMESPACE, rules: propagatorAgentRules() }),
  ];
}

/** The namespaces whose Secrets the agent reads and the propagator writes: herald-system and each given one. */
export function secretNamespacesOf(namespaces: readonly string[]): string[] {
  return [...new Set([NAMESPACE, ...namespaces])];
}

/**
 * Per namespace whose Secrets the agent reads, and the propagator writes: a Role and RoleBinding
 * for each (join creates the namespace, so the propagator needs no rights on namespaces).
 */
function secretAccess(namespaces: readonly string[]): Manifest[] {
  return secretNamespacesOf(namespaces).flatMap((ns) => [
    ...(ns === NAMESPACE ? [] : [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, annotations: KEEP } }]),
    ...granted(AGENT, { kind: 'Role', name: `${AGENT}-secrets`, namespace: ns, rules: agentSecretRules() }),
    ...granted(PROPAGATOR, { kind: 'Role', name: `${PROPAGATOR}-secrets`, namespace: ns, rules: propagatorSecretRules() }),
  ]);
}

/** The Role anyone may be bound to for posting to the agent, and a binding for each --alertmanager ServiceAccount. */
function ingestAccess(alertmanagers: AgentInstall['alertmanagers']): Manifest[] {
  const metadata = { name: INGEST_ROLE, namespace: NAMESPACE, labels: labels(AGENT) };
  return [
    { apiVersion: `${RBAC}/v1`, kind: 'Role', metadata, rules: agentIngestRules() },
    ...(alertmanagers.length > 0
      ? [
          {
            apiVersion: `${RBAC}/v1`,
            kind: 'RoleBinding',
            metadata,
            roleRef: { apiGroup: RBAC, kind: 'Role', name: INGEST_ROLE },
            subjects: alertmanagers.map((a) => ({ kind: 'ServiceAccount', name: a.name, namespace: a.namespace })),
          },
        ]
      : []),
  ];
}

const TLS_DIR = '/etc/herald/tls';
const PIPELINE_HEAP_MB = 32;
const INGEST_DIR = '/etc/herald/ingest';

function container(o: AgentInstall): Record<string, unknown> {
  const probe = (path: string) => ({ httpGet: { path, port: AGENT_PORT, scheme: o.tlsSecret ? 'HTTPS' : 'HTTP' }, periodSeconds: 10 });
  const tls = o.tlsSecret ? ['--tls-cert-file', `${TLS_DIR}/tls.crt`, '--tls-key-file', `${TLS_DIR}/tls.key`] : [];
  return {
    name: 'agent',
    image: o.image,
    // Authenticated: the static ingest token, and (in a cluster, by default) ServiceAccount tokens.
    // The pipeline thread's heap: with NODE_OPTIONS below, what the agent's memory target is measured with.
    args: ['--port', String(AGENT_PORT), '--data-dir', '/var/lib/herald', '--ingest-token-file', `${INGEST_DIR}/token`, '--pipeline-heap-mb', String(PIPELINE_HEAP_MB), ...tls],
    ports: [{ name: AGENT_PORT_NAME, containerPort: AGENT_PORT }],
    env: [
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      // The namespace SubjectAccessReviews about herald-agent name.
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      // The figures behind the agent's memory target: a small heap, few malloc arenas.
      { name: 'NODE_OPTIONS', value: '--max-old-space-size=64 --max-semi-space-size=1' },
      { name: 'MALLOC_ARENA_MAX', value: '2' },
      // Request bodies (16 KB and up) get their own mappings, returned to the system when freed.
      { name: 'MALLOC_MMAP_THRESHOLD_', value: '16384' },
      { name: 'MALLOC_TRIM_THRESHOLD_', value: '65536' },
    ],
    readinessProbe: probe('/readyz'),
    livenessProbe: { ...probe('/healthz'), failureThreshold: 6 },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
    volumeMounts: [
      { name: 'data', mountPath: '/var/lib/herald' },
      { name: 'ingest-token', mountPath: INGEST_DIR, readOnly: true },
      ...(o.tlsSecret ? [{ name: 'tls', mountPath: TLS_DIR, readOnly: true }] : []),
    ],
  };
}

function workload(o: AgentInstall): Manifest[] {
  const selector = { 'app.kubernetes.io/name': AGENT };
  const pvc = o.storage.kind === 'pvc';
  const claim: Manifest[] =
    o.storage.kind === 'pvc'
      ? [
          {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            metadata: { name: `${AGENT}-data`, namespace: NAMESPACE, labels: labels(AGENT) },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: o.storage.size } }, ...(o.storage.storageClass ? { storageClassName: o.storage.storageClass } : {}) },
          },
        ]
      : [];
  return [
    ...claim,
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: AGENT, namespace: NAMESPACE, labels: { ...labels(AGENT), 'herald.dev/cluster': o.cluster } },
      spec: {
        replicas: 1,
        // One writer for the SQLite store: the old pod stops before the new one starts.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: labels(AGENT) },
          spec: {
            serviceAccountName: AGENT,
            securityContext: { runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            terminationGracePeriodSeconds: 30,
            containers: [container(o)],
            volumes: [
              { name: 'data', ...(pvc ? { persistentVolumeClaim: { claimName: `${AGENT}-data` } } : { emptyDir: {} }) },
              { name: 'ingest-token', secret: { secretName: INGEST_TOKEN_SECRET, defaultMode: 0o440 } },
              ...(o.tlsSecret ? [{ name: 'tls', secret: { secretName: o.tlsSecret } }] : []),
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: AGENT, namespace: NAMESPACE, labels: labels(AGENT) },
      spec: { selector, ports: [{ name: AGENT_PORT_NAME, port: AGENT_PORT, targetPort: AGENT_PORT }] },
    },
  ];
}

/** Everything join installs on the member, in the order it must be applied. */
export function memberManifests(o: AgentInstall): Manifest[] {
  return [
    ...memberCrds(),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE, labels: PART_OF } },
    ...rbac(),
    ...secretAccess(o.secretNamespaces),
    ...ingestAccess(o.alertmanagers),
    ...workload(o),
  ];
}
