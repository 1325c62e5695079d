/** Pure generation of CustomResourceDefinitions from the kind registry. */
import { GROUP, VERSION } from './common.js';
import type { KindDef } from './kinds.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A OneOrList union (`anyOf: [item, {type: array, items: item}]`) in a form a structural schema
 * allows: no `type` (x-kubernetes-preserve-unknown-fields lets a field go untyped, and nothing under
 * a string or a list of strings can be pruned), `items` for the list, and an anyOf that holds for
 * the item's values or for any array. `not: {minItems: 1, maxItems: 0}` is that array test: no array
 * has between 1 and 0 items, and a value that is not an array passes every array keyword. Kubernetes
 * forbids `type` inside anyOf and CEL on an untyped field, so only an enum item can be told apart
 * from other strings, numbers and objects; undefined when the node is no such union.
 */
function oneOrList(node: JsonObject, walk: (node: Json) => Json): JsonObject | undefined {
  const anyOf = node['anyOf'];
  if (!Array.isArray(anyOf) || anyOf.length !== 2) return undefined;
  const [item, list] = anyOf;
  if (!isObject(item) || !isObject(list) || list['type'] !== 'array' || JSON.stringify(list['items']) !== JSON.stringify(item)) {
    return undefined;
  }
  const values = item['enum'];
  if (!Array.isArray(values)) throw new Error('a OneOrList item must be an enum: a CRD tells it from a list by its values only');
  const { anyOf: _anyOf, ...rest } = node;
  const { type: _type, items: _items, ...listRules } = list;
  return {
    ...rest,
    'x-kubernetes-preserve-unknown-fields': true,
    items: walk(item),
    ...listRules,
    anyOf: [{ enum: values }, { not: { minItems: 1, maxItems: 0 } }],
  };
}

/**
 * toStructural turns a TypeBox JSON Schema into a Kubernetes structural schema: maps become
 * `additionalProperties` (Kubernetes has no `patternProperties`), a OneOrList becomes an untyped
 * field (see oneOrList), and TypeBox-only keys go.
 */
export function toStructural(schema: unknown): JsonObject {
  const walk = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(walk);
    if (!isObject(node)) return node;
    const either = oneOrList(node, walk);
    if (either) return either;
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$id' || key === '$schema') continue;
      if (key === 'patternProperties' && isObject(value)) {
        const [only] = Object.values(value);
        if (only === undefined) throw new Error('patternProperties without a value schema');
        out['additionalProperties'] = walk(only);
        continue;
      }
      // `properties` and `x-kubernetes-validations` hold names/rules, not schema keywords.
      out[key] = key === 'x-kubernetes-validations' ? value : walk(value);
    }
    return out;
  };
  return walk(JSON.parse(JSON.stringify(schema)) as Json) as JsonObject;
}

/** crdFor builds the CRD object for one kind. */
export function crdFor(def: KindDef): JsonObject {
  const root: JsonObject = {
    type: 'object',
    description: def.description,
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: toStructural(def.spec),
      status: toStructural(def.status),
    },
    required: ['spec'],
  };
  if (def.rootRules) root['x-kubernetes-validations'] = def.rootRules as unknown as Json;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${def.plural}.${GROUP}`, labels: { 'app.kubernetes.io/part-of': 'herald' } },
    spec: {
      group: GROUP,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        shortNames: def.shortNames,
        categories: ['herald'],
      },
      scope: 'Cluster',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: def.columns as unknown as Json,
          schema: { openAPIV3Schema: root },
        },
      ],
    },
  };
}
