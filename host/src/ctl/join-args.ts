/** Turning join's flags into what join does (pure): every check of a value is a UsageError naming the flag. */
import { parseDuration } from '@herald/shared/duration';
import { oneOf, UsageError } from '@herald/shared/cli';
import { bool, isDnsLabel, list, str, type Values } from './command.js';
import type { JoinOptions } from './join.js';

/** NAMESPACE/NAME of a ServiceAccount. */
function serviceAccountOf(value: string): { namespace: string; name: string } {
  const [namespace, name, ...rest] = value.split('/');
  if (!namespace || !name || rest.length > 0 || !isDnsLabel(namespace) || !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(name)) {
    throw new UsageError(`--alertmanager ${value} must be NAMESPACE/SERVICEACCOUNT, e.g. monitoring/alertmanager-main`);
  }
  return { namespace, name };
}

function labelsOf(pairs: string[]): Record<string, string> {
  return Object.fromEntries(
    pairs.map((p) => {
      const m = /^([A-Za-z0-9][-A-Za-z0-9_./]{0,252})=([-A-Za-z0-9_.]{0,63})$/.exec(p);
      if (!m) throw new UsageError(`--label ${p} is not key=value with a valid label key and value`);
      return [m[1] as string, m[2] as string];
    }),
  );
}

/** A duration flag (Go form: 90s, 2m) in milliseconds. */
function durationFlag(flag: string, value: string): number {
  try {
    return parseDuration(value);
  } catch {
    throw new UsageError(`--${flag} ${JSON.stringify(value)} is not a duration (e.g. 90s, 2m, 1h)`);
  }
}

function storageOf(v: Values): JoinOptions['storage'] {
  const storage = oneOf('storage', str(v, 'storage') ?? 'pvc', ['pvc', 'emptyDir']);
  const storageClass = str(v, 'storage-class');
  return storage === 'pvc' ? { kind: 'pvc', size: str(v, 'storage-size') ?? '1Gi', ...(storageClass ? { storageClass } : {}) } : { kind: 'emptyDir' };
}

/** Everything join needs but the two clusters and where it prints. */
export function joinArgs(name: string, v: Values): Omit<JoinOptions, 'host' | 'member' | 'say'> & { dryRun: boolean } {
  const ttl = Number(str(v, 'token-ttl-hours') ?? '8760');
  if (!Number.isInteger(ttl) || ttl < 1) throw new UsageError('--token-ttl-hours must be a whole number of hours');
  const tlsSecret = str(v, 'tls-secret');
  const tokenNamespaces = list(v, 'alertmanager-token-namespace');
  const badNs = tokenNamespaces.find((ns) => !isDnsLabel(ns));
  if (badNs !== undefined) throw new UsageError(`--alertmanager-token-namespace ${badNs} is not a namespace name`);
  return {
    name,
    labels: labelsOf(list(v, 'label')),
    image: str(v, 'image') ?? '',
    secretNamespaces: list(v, 'secret-namespace'),
    storage: storageOf(v),
    credentials: oneOf('credentials', str(v, 'credentials') ?? 'token', ['token', 'kubeconfig']),
    tokenTtlHours: ttl,
    alertmanagers: list(v, 'alertmanager').map(serviceAccountOf),
    alertmanagerTokenNamespaces: tokenNamespaces,
    namespaceTimeoutMs: durationFlag('timeout', str(v, 'timeout') ?? '2m'),
    ...(tlsSecret ? { tlsSecret } : {}),
    dryRun: bool(v, 'dry-run'),
  };
}
