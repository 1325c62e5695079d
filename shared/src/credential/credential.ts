/**
 * Credential resolution: `{value}` inline, or `{valueFrom: {secretKeyRef}}` read from a Secret.
 * Pure: the Secret lookup is passed in. Errors name the field and the Secret, never the value.
 */
import type { Credential } from '../api/common.js';

/** The part of a core/v1 Secret that resolution reads: `data` is base64, as the API serves it. */
export interface SecretData {
  data?: Readonly<Record<string, string>>;
}

/** Finds a Secret by namespace and name; undefined when there is none. */
export type SecretLookup = (namespace: string, name: string) => SecretData | undefined;

export type CredentialResult = { ok: true; value: string } | { ok: false; field: string; reason: string };

export const DEFAULT_SECRET_NAMESPACE = 'herald-system';

export interface ResolveOptions {
  /** Field path of the credential, used in errors, e.g. `spec.email.authPassword`. */
  field: string;
  /** Namespace for references that name none. */
  defaultNamespace?: string;
}

const fail = (field: string, reason: string): CredentialResult => ({ ok: false, field, reason });

/** resolveCredential returns the credential's value or says, without revealing it, why it has none. */
export function resolveCredential(
  credential: Credential | undefined,
  lookup: SecretLookup,
  { field, defaultNamespace = DEFAULT_SECRET_NAMESPACE }: ResolveOptions,
): CredentialResult {
  if (!credential) return fail(field, 'is required');
  const hasValue = credential.value !== undefined;
  const ref = credential.valueFrom?.secretKeyRef;
  if (hasValue === (credential.valueFrom !== undefined)) {
    return fail(field, 'exactly one of value or valueFrom must be set');
  }
  if (hasValue) return { ok: true, value: credential.value as string };
  if (!ref) return fail(`${field}.valueFrom`, 'secretKeyRef is required');
  const namespace = ref.namespace || defaultNamespace;
  const where = `Secret ${namespace}/${ref.name}`;
  const secret = lookup(namespace, ref.name);
  if (!secret) return fail(`${field}.valueFrom.secretKeyRef`, `${where} not found`);
  const encoded = secret.data?.[ref.key];
  if (encoded === undefined) return fail(`${field}.valueFrom.secretKeyRef`, `${where} has no key "${ref.key}"`);
  const value = Buffer.from(encoded, 'base64').toString('utf8');
  if (value === '') return fail(`${field}.valueFrom.secretKeyRef`, `key "${ref.key}" of ${where} is empty`);
  return { ok: true, value };
}

/** secretRefsOf lists every Secret a credential-bearing object references (for propagation and watches). */
export function secretRefsOf(
  node: unknown,
  defaultNamespace = DEFAULT_SECRET_NAMESPACE,
): { namespace: string; name: string }[] {
  const found = new Map<string, { namespace: string; name: string }>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (typeof v !== 'object' || v === null) return;
    const ref = (v as { secretKeyRef?: { namespace?: string; name?: unknown } }).secretKeyRef;
    if (ref && typeof ref.name === 'string') {
      const namespace = ref.namespace || defaultNamespace;
      found.set(`${namespace}/${ref.name}`, { namespace, name: ref.name });
    }
    Object.values(v).forEach(walk);
  };
  walk(node);
  return [...found.values()];
}
export * from './marks.js';
