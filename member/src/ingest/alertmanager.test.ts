import { describe, expect, it } from 'vitest';
import { normalizeAlertmanager, stampLabels, ZERO_TIME } from './alertmanager.js';

const stamp = { cluster: 'member-a', clusterLabels: { region: 'eu', env: 'prod' } };

describe('stampLabels', () => {
  it('the agent’s cluster name wins over the payload’s', () => {
    expect(stampLabels({ cluster: 'host', alertname: 'X' }, stamp).cluster).toBe('member-a');
  });
  it('member labels fill gaps but never overwrite the alert’s own', () => {
    expect(stampLabels({ env: 'staging' }, stamp)).toEqual({ env: 'staging', region: 'eu', cluster: 'member-a' });
  });
});

describe('normalizeAlertmanager', () => {
  const received = Date.parse('2026-11-21T12:00:00Z');
  it('takes each alert’s status, else the payload’s, and fills times', () => {
    const [a, b] = normalizeAlertmanager(
      { status: 'resolved', alerts: [{ labels: { alertname: 'A' }, status: 'firing', startsAt: '2026-11-21T11:00:00Z' }, { labels: { alertname: 'B' } }] },
      stamp,
      received,
    );
    expect(a).toMatchObject({ status: 'firing', startsAt: '2026-11-21T11:00:00Z', endsAt: ZERO_TIME, source: 'alertmanager' });
    expect(b).toMatchObject({ status: 'resolved', startsAt: '2026-11-21T12:00:00.000Z', annotations: {}, generatorURL: '' });
  });
  it('fingerprints the stamped labels, so the same alert from two clusters differs', () => {
    const one = normalizeAlertmanager({ alerts: [{ labels: { alertname: 'A' } }] }, stamp, received)[0];
    const two = normalizeAlertmanager({ alerts: [{ labels: { alertname: 'A' } }] }, { ...stamp, cluster: 'member-b' }, received)[0];
    const again = normalizeAlertmanager({ alerts: [{ labels: { alertname: 'A' } }] }, stamp, received)[0];
    expect(one?.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(one?.fingerprint).not.toBe(two?.fingerprint);
    expect(one?.fingerprint).toBe(again?.fingerprint);
  });
});
