import { describe, expect, it } from 'vitest';
import type { Settings } from '@herald/shared';
import { addressAllowed } from '../notify/egress.js';
import { effectiveSettings } from './settings.js';
import { buildSnapshot } from './snapshot.js';

const settings = (spec: Settings['spec']): Settings => ({ apiVersion: 'herald.dev/v1alpha1', kind: 'Settings', metadata: { name: 'default' }, spec });

describe('Settings spec.egress', () => {
  it('denies nothing by default: configured receivers may reach private addresses', () => {
    const { egress } = effectiveSettings();
    expect(egress).toEqual({ deny: [] });
    expect(addressAllowed('10.96.0.10', egress)).toBe(true);
    expect(addressAllowed('127.0.0.1', egress)).toBe(true);
  });

  it('resolves the deny list into the snapshot', () => {
    const snap = buildSnapshot({ settings: settings({ egress: { deny: ['169.254.0.0/16', 'fd00::/8'] } }) });
    expect(snap.problems).toEqual([]);
    expect(snap.settings.egress.deny.map((b) => b.text)).toEqual(['169.254.0.0/16', 'fd00::/8']);
    expect(addressAllowed('169.254.169.254', snap.settings.egress)).toBe(false);
    expect(addressAllowed('10.0.0.1', snap.settings.egress)).toBe(true);
  });

  it('reports a bad CIDR as a Settings problem naming the entry, and refuses every address until fixed', () => {
    const snap = buildSnapshot({ settings: settings({ batchMaxSize: 7, egress: { deny: ['10.0.0.0/8', '300.0.0.0/8'] } }) });
    expect(snap.problems).toEqual([
      {
        kind: 'Settings',
        name: 'default',
        message: 'spec.egress.deny[1]: "300.0.0.0/8" is not a CIDR block: "300.0.0.0" is not an IP address; every outbound connection is refused until it is fixed',
      },
    ]);
    // The rest of the Settings still applies.
    expect(snap.settings.batchMaxSize).toBe(7);
    expect(addressAllowed('8.8.8.8', snap.settings.egress)).toBe(false);
  });

  it('keeps the deny list when another Settings field makes the Settings fall back to defaults', () => {
    const snap = buildSnapshot({ settings: settings({ batchMaxWait: 'soon', egress: { deny: ['127.0.0.0/8'] } }) });
    expect(snap.problems.map((p) => p.kind)).toEqual(['Settings']);
    expect(snap.settings.batchMaxWaitMs).toBe(5_000);
    expect(addressAllowed('127.0.0.1', snap.settings.egress)).toBe(false);
  });
});
