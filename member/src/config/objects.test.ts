import { describe, expect, it } from 'vitest';
import { sortObjects } from './objects.js';

const API = 'herald.dev/v1alpha1';

describe('sortObjects', () => {
  it('checks enum fields (StringEnum) and names the field that is wrong', () => {
    const { input, problems } = sortObjects([
      { where: 'a.yaml', object: { apiVersion: API, kind: 'Settings', metadata: { name: 'default' }, spec: { routePolicy: 'RouterFirst' } } },
      { where: 'a.yaml', object: { apiVersion: API, kind: 'Receiver', metadata: { name: 'ok' }, spec: { email: { to: ['a@b.c'], alertSelector: { matchExpressions: [{ key: 'a', operator: 'In', values: ['x'] }] } } } } },
      { where: 'b.yaml', object: { apiVersion: API, kind: 'Receiver', metadata: { name: 'bad' }, spec: { email: { to: ['a@b.c'], alertSelector: { matchExpressions: [{ key: 'a', operator: 'Like' }] } } } } },
    ]);
    expect(input.settings?.spec.routePolicy).toBe('RouterFirst');
    expect(input.receivers?.map((r) => r.metadata.name)).toEqual(['ok']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'Receiver', name: 'bad' });
    expect(problems[0]?.message).toContain('b.yaml: spec.email.alertSelector.matchExpressions.0.operator');
  });

  it('turns Secrets (data and stringData) into Secret data, and reports a Settings object not named default', () => {
    const { input, problems } = sortObjects([
      { where: 's', object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns' }, data: { a: 'eA==' }, stringData: { b: 'y' } } },
      { where: 's', object: { apiVersion: API, kind: 'Settings', metadata: { name: 'other' }, spec: {} } },
    ]);
    expect(input.secretData).toEqual({ 'ns/s': { data: { a: 'eA==', b: 'eQ==' } } });
    expect(problems[0]?.message).toContain('Settings must be named default');
  });

  it('takes InhibitRules, checked against their schema', () => {
    const { input, problems } = sortObjects([
      { where: 'i.yaml', object: { apiVersion: API, kind: 'InhibitRule', metadata: { name: 'node-down', labels: { type: 'global' } }, spec: { sourceMatch: { matchLabels: { alertname: 'NodeDown' } }, targetMatch: {}, equal: ['node'] } } },
      { where: 'i.yaml', object: { apiVersion: API, kind: 'InhibitRule', metadata: { name: 'no-target' }, spec: { sourceMatch: {} } } },
    ]);
    expect(input.inhibitRules?.map((r) => r.metadata.name)).toEqual(['node-down']);
    expect(problems).toEqual([expect.objectContaining({ kind: 'InhibitRule', name: 'no-target', message: expect.stringContaining('targetMatch') as unknown })]);
  });
});
