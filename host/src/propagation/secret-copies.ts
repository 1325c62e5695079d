/**
 * Referenced Secrets (I/O): reading them on the host, and writing, listing and removing Herald's
 * copies on a member. What may be read or written is decided in secret-policy.ts; here a member's
 * Secret is written only if it is absent or Herald's, and removed only while it is Herald's: every
 * write is conditional on the server (a create, a patch testing the marks, a delete with the uid),
 * so a Secret someone puts there meanwhile is never overwritten or deleted.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeError, pathOf, rawRequest } from '@herald/shared/k8s';
import type { Found } from './diff.js';
import type { HostSecret, MemberObject } from './render.js';
import {
  COPIED_FROM_ANNOTATION,
  isHeraldsSecret,
  keyOf,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  notHeraldsMessage,
  secretWriteMessage,
  SERVICE_ACCOUNT_TOKEN,
  type SecretRef,
} from './secret-policy.js';

/** Why a Secret was not written on a member; `foreign` when a Secret not Herald's is in the way. */
export interface SecretFailure {
  message: string;
  foreign: boolean;
}

/** A Secret on a member, as far as deciding whose it is goes. */
interface MemberSecret {
  metadata: { name: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  type?: string;
  data?: Record<string, string>;
}

/** Metadata only: what the host reads of a ServiceAccount token Secret, to refuse it. */
const PARTIAL_METADATA = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';

/**
 * One referenced Secret on the host, by field selector so that a ServiceAccount token's data is
 * never fetched: of one of those only the metadata is read, to say why it does not travel.
 */
export async function readHostSecret(kc: KubeConfig, ref: SecretRef): Promise<HostSecret | undefined> {
  const first = async (selector: string, accept?: string): Promise<HostSecret | undefined> => {
    const path = `/api/v1/namespaces/${ref.namespace}/secrets?fieldSelector=${encodeURIComponent(selector)}`;
    return (JSON.parse(await rawRequest(kc, 'GET', path, accept ? { accept } : {})) as { items: HostSecret[] }).items[0];
  };
  const secret = await first(`metadata.name=${ref.name},type!=${SERVICE_ACCOUNT_TOKEN}`);
  if (secret) return secret;
  const token = await first(`metadata.name=${ref.name},type=${SERVICE_ACCOUNT_TOKEN}`, PARTIAL_METADATA);
  return token ? { metadata: { name: ref.name, namespace: ref.namespace }, type: SERVICE_ACCOUNT_TOKEN } : undefined;
}

const pointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');
/** JSON patch tests: the patch fails (422) unless the Secret still carries Herald's marks. */
const ownMarks = (ref: SecretRef): unknown[] => [
  { op: 'test', path: `/metadata/labels/${pointer(MANAGED_BY_LABEL)}`, value: MANAGED_BY },
  { op: 'test', path: `/metadata/annotations/${pointer(COPIED_FROM_ANNOTATION)}`, value: keyOf(ref) },
];
const refOf = (o: MemberObject): SecretRef => ({ namespace: o.metadata.namespace ?? '', name: o.metadata.name });
const statusOf = (err: unknown): number => (err instanceof KubeError ? err.status : 0);
const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

async function memberSecret(kc: KubeConfig, path: string): Promise<MemberSecret | undefined> {
  return rawRequest(kc, 'GET', path).then((t) => JSON.parse(t) as MemberSecret, () => undefined);
}

/** A member to write on: its name (for messages), a kubeconfig for it, and the field manager. */
export interface Target {
  kc: KubeConfig;
  member: string;
  fieldManager: string;
}

/** Updates Herald's own copy if it still carries the marks; 'gone' when it was deleted there. */
async function updateOwn({ kc, member, fieldManager }: Target, o: MemberObject): Promise<SecretFailure | 'gone' | undefined> {
  const ref = refOf(o);
  const ops = [...ownMarks(ref), { op: 'add', path: '/data', value: o.data ?? {} }, { op: 'replace', path: '/type', value: o.type ?? 'Opaque' }];
  try {
    await rawRequest(kc, 'PATCH', `${pathOf(o)}?fieldManager=${fieldManager}`, { contentType: 'application/json-patch+json', body: JSON.stringify(ops) });
    return undefined;
  } catch (err) {
    if (statusOf(err) === 404) return 'gone';
    // 422: a mark is gone (someone else's now), or the type changed (it is immutable).
    if (statusOf(err) === 422 && !isHeraldsSecret(ref, (await memberSecret(kc, pathOf(o)))?.metadata)) return { message: notHeraldsMessage(ref, member), foreign: true };
    return { message: secretWriteMessage(ref, member, statusOf(err), messageOf(err)), foreign: false };
  }
}

/**
 * Writes one Secret on a member, only if it is absent or Herald's (`own`: Herald listed or wrote it
 * there): its own is patched; any other is created, so that a Secret of that name (someone else's)
 * is a conflict, never an overwrite. Returns why it was not written.
 */
export async function writeSecret(to: Target, o: MemberObject, own: boolean): Promise<SecretFailure | undefined> {
  const { kc, member, fieldManager } = to;
  const ref = refOf(o);
  if (own) {
    const updated = await updateOwn(to, o);
    if (updated !== 'gone') return updated;
  }
  try {
    await rawRequest(kc, 'POST', `/api/v1/namespaces/${ref.namespace}/secrets?fieldManager=${fieldManager}`, { body: JSON.stringify(o) });
    return undefined;
  } catch (err) {
    const failed = { message: secretWriteMessage(ref, member, statusOf(err), messageOf(err)), foreign: false };
    if (statusOf(err) !== 409) return failed;
    // One is there: Herald's own after all (not in the last listing), or someone else's.
    if (!isHeraldsSecret(ref, (await memberSecret(kc, pathOf(o)))?.metadata)) return { message: notHeraldsMessage(ref, member), foreign: true };
    return own ? failed : writeSecret(to, o, true);
  }
}

const SECRET_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/;

/** The Secret a member path names, or undefined for any other path. */
export function secretRefOfPath(path: string): SecretRef | undefined {
  const m = SECRET_PATH.exec(path);
  return m ? { namespace: m[1] as string, name: m[2] as string } : undefined;
}

/**
 * Deletes Herald's copy of a Secret, or (orphaning) takes its marks off so that nothing prunes it
 * later. A Secret that is not Herald's, or stopped being so meanwhile, is left as it is.
 */
export async function removeSecret(kc: KubeConfig, path: string, ref: SecretRef, orphan: boolean): Promise<void> {
  const there = await memberSecret(kc, path);
  if (!there || !isHeraldsSecret(ref, there.metadata)) return;
  const release = [
    ...ownMarks(ref),
    { op: 'remove', path: `/metadata/labels/${pointer(MANAGED_BY_LABEL)}` },
    { op: 'remove', path: `/metadata/annotations/${pointer(COPIED_FROM_ANNOTATION)}` },
  ];
  // The uid precondition: a Secret that replaced Herald's since it was read is not deleted.
  const request = orphan
    ? rawRequest(kc, 'PATCH', path, { contentType: 'application/json-patch+json', body: JSON.stringify(release) })
    : rawRequest(kc, 'DELETE', path, { body: JSON.stringify({ apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: there.metadata.uid } }) });
  await request.catch((err: unknown) => {
    // 409 / 422: no longer Herald's (replaced, or unmarked by hand), so it stays as it is.
    if (statusOf(err) !== 409 && statusOf(err) !== 422) throw err;
  });
}

/**
 * Herald's copies of Secrets on a member, in the namespaces it may write there: those with its
 * label and its annotation (a Secret labelled by hand is not one).
 */
export async function heraldsSecrets(kc: KubeConfig, namespaces: readonly string[]): Promise<Found[]> {
  const selector = `labelSelector=${encodeURIComponent(`${MANAGED_BY_LABEL}=${MANAGED_BY}`)}`;
  const lists = namespaces.map(async (ns) => {
    const items = await rawRequest(kc, 'GET', `/api/v1/namespaces/${ns}/secrets?${selector}`).then(
      (t) => (JSON.parse(t) as { items: MemberSecret[] }).items,
      // Not allowed there (or no such namespace): nothing of Herald's to find; writes there say why.
      (err: unknown) => {
        if (statusOf(err) === 403 || statusOf(err) === 404) return [];
        throw err;
      },
    );
    return items
      .filter((item) => isHeraldsSecret({ namespace: ns, name: item.metadata.name }, item.metadata))
      .map((item) => ({ path: pathOf({ apiVersion: 'v1', kind: 'Secret', metadata: { name: item.metadata.name, namespace: ns } }), object: item }));
  });
  return (await Promise.all(lists)).flat();
}
