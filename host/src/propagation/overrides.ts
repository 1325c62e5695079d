/**
 * Per-member overrides: RFC 6902 JSON patches (the rfc6902 library) applied to a copy of the
 * object. A patch that fails, lacks a value where RFC 6902 needs one (the API server's CEL cannot
 * see untyped values), or would change what the object is (kind, apiVersion, name) is refused
 * with a message that names the operation.
 */
import { applyPatch, type Operation } from 'rfc6902';
import type { JsonPatchOperation } from '@herald/shared';

export type Patched<T> = { ok: true; object: T } | { ok: false; message: string };

const IDENTITY = /^\/(kind|apiVersion|metadata\/name)(\/|$)/;

export function applyOverrides<T extends object>(object: T, patches: readonly JsonPatchOperation[]): Patched<T> {
  for (const [i, p] of patches.entries()) {
    if ((p.op === 'add' || p.op === 'replace' || p.op === 'test') && p.value === undefined) {
      return { ok: false, message: `patch ${i} (${p.op} ${p.path}): ${p.op} needs a value` };
    }
    if (IDENTITY.test(p.path)) return { ok: false, message: `patch ${i} (${p.op} ${p.path}): an override cannot change kind, apiVersion or name` };
  }
  const copy = structuredClone(object);
  const results = applyPatch(copy, patches as Operation[]);
  const failed = results.findIndex((r) => r !== null);
  if (failed >= 0) {
    const p = patches[failed] as JsonPatchOperation;
    return { ok: false, message: `patch ${failed} (${p.op} ${p.path}): ${(results[failed] as Error).message}` };
  }
  return { ok: true, object: copy };
}
