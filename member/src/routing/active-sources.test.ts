import { describe, expect, it } from 'vitest';
import { inhibitRule } from '../../../test/support/objects.js';
import { ActiveSources } from './active-sources.js';
import { compileInhibitRule, equalKey } from './inhibit.js';

const nodeDown = compileInhibitRule(
  inhibitRule('node-down', {}, { sourceMatch: { matchLabels: { alertname: 'NodeDown' } }, targetMatch: {}, equal: ['node'] }),
  { kind: 'global' },
);
const HOUR = 3_600_000;
const fps = (sources: Iterable<{ fingerprint: string }>): string[] => [...sources].map((s) => s.fingerprint).sort();

describe('ActiveSources', () => {
  it('finds a rule’s sources by the values of its equal labels, indexed before and after they fire', () => {
    const active = new ActiveSources([{ fingerprint: 'old', labels: { alertname: 'NodeDown', node: 'n1' }, firstSeenAt: 0, lastSeenAt: 0 }]);
    const rules = [nodeDown];
    const lookup = active.lookup(rules, 10, HOUR);
    active.fire('new', { alertname: 'NodeDown', node: 'n1' }, 10);
    active.fire('other-node', { alertname: 'NodeDown', node: 'n2' }, 10);
    active.fire('not-a-source', { alertname: 'Other', node: 'n1' }, 10);
    expect(fps(lookup(nodeDown, equalKey({ node: 'n1' }, nodeDown.equal)))).toEqual(['new', 'old']);
    active.remove('old');
    expect(fps(lookup(nodeDown, equalKey({ node: 'n1' }, nodeDown.equal)))).toEqual(['new']);
    // New rules (a new configuration) are indexed from what is there.
    const again = compileInhibitRule(inhibitRule('node-down', {}, { sourceMatch: { matchLabels: { alertname: 'NodeDown' } }, targetMatch: {}, equal: ['node'] }), { kind: 'global' });
    expect(fps(active.lookup([again], 10, HOUR)(again, equalKey({ node: 'n2' }, again.equal)))).toEqual(['other-node']);
  });

  it('a source not sent again within the TTL no longer counts, and is pruned', () => {
    const active = new ActiveSources();
    active.fire('a', { alertname: 'NodeDown' }, 0);
    active.fire('b', { alertname: 'NodeDown' }, 2 * HOUR);
    const key = equalKey({}, nodeDown.equal);
    expect(fps(active.lookup([nodeDown], 3 * HOUR, HOUR + 1)(nodeDown, key))).toEqual(['b']);
    // Refreshed: it counts again, and moves behind b in the pruning order.
    active.fire('a', { alertname: 'NodeDown' }, 3 * HOUR);
    expect(fps(active.lookup([nodeDown], 3 * HOUR, HOUR)(nodeDown, key))).toEqual(['a', 'b']);
    expect(active.prune(4 * HOUR, HOUR, 100)).toEqual(['b']);
    expect(active.size).toBe(1);
  });

  it('beyond the bound the least recently sent go first', () => {
    const active = new ActiveSources([
      { fingerprint: 'x', labels: { alertname: 'NodeDown', node: 'x' }, firstSeenAt: 0, lastSeenAt: 1 },
      { fingerprint: 'y', labels: { alertname: 'NodeDown', node: 'y' }, firstSeenAt: 0, lastSeenAt: 2 },
    ]);
    active.fire('z', { alertname: 'NodeDown', node: 'z' }, 3);
    active.fire('x', { alertname: 'NodeDown', node: 'x' }, 4);
    expect(active.prune(5, HOUR, 2)).toEqual(['y']);
    expect(active.has('x') && active.has('z')).toBe(true);
    expect(fps(active.lookup([nodeDown], 5, HOUR)(nodeDown, equalKey({ node: 'y' }, nodeDown.equal)))).toEqual([]);
  });
});
