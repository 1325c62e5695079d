import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderCrds } from '../../../hack/gen-crds.js';
import { Type } from '@sinclair/typebox';
import { KINDS, type KindDef } from './kinds.js';
import { OneOrList, PropagatedStatus, StringEnum } from './common.js';
import { PROPAGATED_KINDS } from './federation.js';
import { crdFor, toStructural } from './crd.js';

type Node = Record<string, unknown>;

/** Walks a schema and yields [path, node] for every sub-schema. */
function* schemas(node: Node, path: string): Generator<[string, Node]> {
  yield [path, node];
  for (const [name, child] of Object.entries((node['properties'] as Record<string, Node>) ?? {})) {
    yield* schemas(child, `${path}.${name}`);
  }
  if (node['items']) yield* schemas(node['items'] as Node, `${path}[]`);
  if (typeof node['additionalProperties'] === 'object') yield* schemas(node['additionalProperties'] as Node, `${path}{}`);
}

describe('CRDs in crds/', () => {
  it('are exactly what the TypeScript API in shared/ generates (run npm run gen:crds)', async () => {
    for (const [file, text] of renderCrds()) {
      expect(await readFile(new URL(`../../../crds/${file}`, import.meta.url), 'utf8'), file).toBe(text);
    }
  });

  it.each(KINDS.map((k) => [k.kind, k] as const))('%s is structural and complete', (_kind, def) => {
    const crd = crdFor(def) as { spec: { names: Node; versions: Node[] } };
    const version = crd.spec.versions[0] as Node & { schema: { openAPIV3Schema: Node } };
    expect(crd.spec.names['categories']).toEqual(['herald']);
    expect((crd.spec.names['shortNames'] as string[]).length).toBeGreaterThan(0);
    expect(version['subresources']).toEqual({ status: {} });
    const columns = (version['additionalPrinterColumns'] as { name: string }[]).map((c) => c.name);
    expect(columns).toContain('Ready');
    expect(columns).toContain('Age');
    for (const [path, node] of schemas(version.schema.openAPIV3Schema, def.kind)) {
      const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
      const oneOrList = preserve && node['anyOf'] !== undefined;
      if (oneOrList) {
        // A OneOrList: untyped, its anyOf free of `type` (structural), an enum for one, items for a list.
        const values = (node['items'] as Node)['enum'];
        expect(values, `${path} items are an enum`).toBeInstanceOf(Array);
        expect(node['anyOf'], path).toEqual([{ enum: values }, { not: { minItems: 1, maxItems: 0 } }]);
        expect(node).not.toHaveProperty('type');
      } else if (preserve) {
        // The only free-form field is a JSON-patch value, which RFC 6902 allows to be any JSON.
        expect(path).toMatch(/\.patches\[\]\.value$/);
      } else expect(node['type'], `${path} has a type`).toBeTypeOf('string');
      expect(node).not.toHaveProperty('patternProperties');
      if (!oneOrList) expect(node).not.toHaveProperty('anyOf');
      if (node['type'] === 'object' && node['properties'] && node['additionalProperties']) {
        throw new Error(`${path}: properties and additionalProperties together are not structural`);
      }
    }
  });

  it("writes a Router's type (one channel or a list) as an untyped field the API server tells apart by its values", () => {
    const router = crdFor(KINDS.find((k) => k.kind === 'Router') as KindDef) as { spec: { versions: { schema: { openAPIV3Schema: Node } }[] } };
    const paths = [...schemas(router.spec.versions[0]?.schema.openAPIV3Schema as Node, 'Router')]
      .filter(([, node]) => node['anyOf'] !== undefined)
      .map(([path]) => path);
    expect(paths).toEqual(['Router.spec.receivers.type', 'Router.spec.receivers.channels[].type']);
    expect(toStructural(OneOrList(StringEnum(['a', 'b'] as const), { maxItems: 2, description: 'd' }))).toEqual({
      description: 'd',
      'x-kubernetes-preserve-unknown-fields': true,
      items: { type: 'string', enum: ['a', 'b'] },
      maxItems: 2,
      anyOf: [{ enum: ['a', 'b'] }, { not: { minItems: 1, maxItems: 0 } }],
    });
    // Without an enum the API server could not tell a string from a number or an object.
    expect(() => toStructural(OneOrList(Type.String()))).toThrow(/must be an enum/);
  });

  it('the host propagates every kind that carries the per-cluster status, and only those', () => {
    expect([...PROPAGATED_KINDS].sort()).toEqual(KINDS.filter((k) => k.status === PropagatedStatus).map((k) => k.kind).sort());
  });

  it('toStructural turns maps into additionalProperties and drops TypeBox ids', () => {
    expect(
      toStructural({ $id: 'x', type: 'object', patternProperties: { '^(.*)$': { type: 'string' } } }),
    ).toEqual({ type: 'object', additionalProperties: { type: 'string' } });
  });
});
