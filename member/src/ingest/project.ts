/**
 * Keeps only what a schema declares: object properties it does not name are dropped, all the way
 * down (records keep every key; their values follow the record's schema). The agent stores only
 * the fields it reads, so an unknown field can carry nothing into the store that a later step
 * might choke on. Copy-on-write: a value with nothing to drop is returned as it is, which is
 * what Alertmanager and the API server send, so the common path allocates nothing.
 */
import { Kind, type TSchema } from '@sinclair/typebox';

interface Shape {
  [Kind]?: string;
  properties?: Record<string, TSchema>;
  items?: TSchema;
  patternProperties?: Record<string, TSchema>;
  anyOf?: TSchema[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value with every property the schema does not declare removed (the same object when there is none). */
export function declaredOnly<T>(schema: TSchema, value: T): T {
  // Only undeclared fields go, so what T declares is still there.
  return prune(schema, value) as T;
}

/** Shape names the few JSON Schema keywords read here; every TypeBox schema has them or lacks them. */
function prune(schema: Shape, value: unknown): unknown {
  switch (schema[Kind]) {
    case 'Object':
      return isRecord(value) ? pruneObject(schema.properties ?? {}, value) : value;
    case 'Array':
      return Array.isArray(value) && schema.items ? pruneArray(schema.items, value) : value;
    case 'Record': {
      const inner = Object.values(schema.patternProperties ?? {})[0] as Shape | undefined;
      return isRecord(value) && inner ? pruneRecord(inner, value) : value;
    }
    default:
      return value;
  }
}

function pruneObject(properties: Record<string, TSchema>, value: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const schema = properties[key] as Shape | undefined;
    const before = value[key];
    const after = schema ? prune(schema, before) : undefined;
    if (schema && after === before) continue;
    out ??= { ...value };
    if (schema) out[key] = after;
    else delete out[key];
  }
  return out ?? value;
}

function pruneArray(items: Shape, value: unknown[]): unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const after = prune(items, value[i]);
    if (after === value[i]) continue;
    out ??= [...value];
    out[i] = after;
  }
  return out ?? value;
}

function pruneRecord(inner: Shape, value: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const [key, before] of Object.entries(value)) {
    const after = prune(inner, before);
    if (after === before) continue;
    out ??= { ...value };
    out[key] = after;
  }
  return out ?? value;
}
