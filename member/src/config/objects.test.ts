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
  it('accepts a Silence with an RFC 3339 startsAt and names the field of one that is not', () => {
    const matcher = { matchLabels: { alertname: 'Noisy' } };
    const { input, problems } = sortObjects([
      { where: 'a.yaml', object: { apiVersion: API, kind: 'Silence', metadata: { name: 'window' }, spec: { matcher, startsAt: '2026-12-02T10:00:00Z', duration: '2h' } } },
      { where: 'a.yaml', object: { apiVersion: API, kind: 'Silence', metadata: { name: 'offset' }, spec: { matcher, startsAt: '2026-12-02T10:00:00.250+01:00', duration: '1h' } } },
      { where: 'b.yaml', object: { apiVersion: API, kind: 'Silence', metadata: { name: 'bad' }, spec: { matcher, startsAt: '2026-12-02 10:00', duration: '2h' } } },
    ]);
    expect(input.silences?.map((s) => s.metadata.name)).toEqual(['window', 'offset']);
    expect(problems).toEqual([
      { kind: 'Silence', name: 'bad', message: 'b.yaml: spec.startsAt: Expected an RFC 3339 date-time such as 2026-12-02T10:00:00Z' },
    ]);
  });
  it("accepts a Router's type as one channel or a list, and names the field when it is no channel", () => {
    const router = (name: string, receivers: unknown) => ({ where: 'r.yaml', object: { apiVersion: API, kind: 'Router', metadata: { name }, spec: { alertSelector: {}, receivers } } });
    const { input, problems } = sortObjects([
      router('nm-form', { regexName: 'user1.*?', type: 'email' }),
      router('list', { name: ['ops'], type: ['email', 'slack'] }),
      router('tenant', { channels: [{ tenant: 'sre', type: 'sms' }, { tenant: 'dev', type: ['slack'] }] }),
      router('fax', { name: ['ops'], type: 'fax' }),
      router('number', { channels: [{ tenant: 'sre', type: 7 }] }),
      router('nested', { name: ['ops'], type: [['email']] }),
    ]);
    expect(input.routers?.map((r) => r.metadata.name)).toEqual(['nm-form', 'list', 'tenant']);
    const expected = 'Expected one of email, wechat, slack, webhook, dingtalk, feishu, discord, telegram, pushover, sms, teams, pagerduty, opsgenie, or a list of them';
    expect(problems.map((p) => [p.name, p.message])).toEqual([
      ['fax', `r.yaml: spec.receivers.type: ${expected}`],
      ['number', `r.yaml: spec.receivers.channels.0.type: ${expected}`],
      ['nested', `r.yaml: spec.receivers.type: ${expected}`],
    ]);
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
