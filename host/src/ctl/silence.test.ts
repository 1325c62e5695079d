import { describe, expect, it } from 'vitest';
import type { Silence } from '@herald/shared';
import { parseMatcher } from './matchers.js';
import { table } from './output.js';
import { durationText, silenceObject, silenceRows } from './silence.js';

const now = new Date('2026-12-03T12:00:00.000Z');
const base = { matchers: [parseMatcher('alertname=DiskFull')], comment: 'disk swap', author: 'ana', start: now, durationMs: 7_200_000, labels: {} };
const existing = (name: string, spec: Silence['spec'], labels: Record<string, string> = { type: 'global' }, summary?: string): Silence => ({
  apiVersion: 'herald.dev/v1alpha1',
  kind: 'Silence',
  metadata: { name, labels, annotations: { 'herald.dev/comment': `why ${name}` } },
  spec,
  ...(summary ? { status: { summary } } : {}),
});

describe('silence add', () => {
  it('writes a global one-off Silence with its comment, author and a generated name', () => {
    expect(silenceObject(base)).toEqual({
      apiVersion: 'herald.dev/v1alpha1',
      kind: 'Silence',
      metadata: { generateName: 'silence-', labels: { type: 'global' }, annotations: { 'herald.dev/comment': 'disk swap', 'herald.dev/author': 'ana' } },
      spec: { matcher: { matchLabels: { alertname: 'DiskFull' } }, startsAt: '2026-12-03T12:00:00Z', duration: '2h' },
    });
  });

  it('scopes to a tenant, keeps extra labels and writes a schedule without a start', () => {
    const o = silenceObject({ ...base, tenant: { key: 'namespace', value: 'shop' }, labels: { team: 'a', type: 'ignored' }, schedule: '0 2 * * *', durationMs: 3_600_000, name: 'nightly' });
    expect(o.metadata).toMatchObject({ name: 'nightly', labels: { team: 'a', type: 'tenant', namespace: 'shop' } });
    expect(o.spec).toEqual({ matcher: { matchLabels: { alertname: 'DiskFull' } }, schedule: '0 2 * * *', duration: '1h' });
  });

  it('refuses a window that has already ended', () => {
    expect(() => silenceObject({ ...base, durationMs: -5 })).toThrow('must last longer than 0s');
  });

  it('writes durations as Herald reads them', () => {
    expect([durationText(3_600_000), durationText(5_400_000), durationText(45_500), durationText(90_061_000)]).toEqual(['1h', '1h30m', '46s', '25h1m1s']);
  });
});

describe('silence query', () => {
  const items = [
    existing('active', { matcher: { matchLabels: { alertname: 'A' } }, startsAt: '2026-12-03T11:00:00Z', duration: '2h' }, { type: 'global' }, '2/2'),
    existing('later', { matcher: { matchLabels: { alertname: 'B' } }, startsAt: '2026-12-04T00:00:00Z', duration: '1h' }, { type: 'tenant', namespace: 'shop' }),
    existing('ended', { matcher: { matchLabels: { alertname: 'A' } }, startsAt: '2026-12-01T00:00:00Z', duration: '1h' }),
    existing('lifted', { matcher: { matchLabels: { alertname: 'A' } }, enabled: false }),
    existing('nightly', { matcher: { matchExpressions: [{ key: 'job', operator: 'Match', regexValue: 'backup.*' }] }, schedule: '0 2 * * *', duration: '1h' }),
  ];

  it('lists active and pending silences with their windows, scope and placement', () => {
    const rows = silenceRows(items, { now, expired: false, tenantKey: 'namespace' });
    expect(rows.map((r) => [r.name, r.state, r.matchers, r.starts, r.ends, r.scope, r.clusters, r.comment])).toEqual([
      ['active', 'active', 'alertname="A"', '2026-12-03T11:00Z', '2026-12-03T13:00Z', 'global', '2/2', 'why active'],
      ['later', 'pending', 'alertname="B"', '2026-12-04T00:00Z', '2026-12-04T01:00Z', 'tenant shop', '-', 'why later'],
      ['nightly', 'pending', 'job=~"backup.*"', '2026-12-04T02:00Z (0 2 * * *)', '2026-12-04T03:00Z', 'global', '-', 'why nightly'],
    ]);
  });

  it('lists only expired ones with --expired, and only those muting given labels', () => {
    expect(silenceRows(items, { now, expired: true, tenantKey: 'namespace' }).map((r) => r.name)).toEqual(['ended', 'lifted']);
    expect(silenceRows(items, { now, expired: false, tenantKey: 'namespace', labels: { alertname: 'A', job: 'x' } }).map((r) => r.name)).toEqual(['active']);
    expect(silenceRows(items, { now, expired: false, tenantKey: 'namespace', labels: { job: 'backup-db' } }).map((r) => r.name)).toEqual(['nightly']);
  });

  it('prints columns padded to the widest cell', () => {
    expect(table(['NAME', 'STATE'], [['a', 'active'], ['longer-name', 'x']]).split('\n')).toEqual(['NAME          STATE', 'a             active', 'longer-name   x']);
  });
});
