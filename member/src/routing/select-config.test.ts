import { describe, expect, it } from 'vitest';
import { buildSnapshot } from '../config/snapshot.js';
import { selectConfig } from './select-config.js';
import { config, receiver } from '../../../test/support/objects.js';

const smtp = (host: string) => ({ email: { from: 'a@example.com', smartHost: { host, port: 25 } } });
const configs = [
  config('default-b', { type: 'default' }, smtp('b')),
  config('default-a', { type: 'default', priority: '5' }, smtp('a')),
  config('default-slack', { type: 'default' }, { slack: { slackTokenSecret: { value: 't' } } }),
  config('team-a-1', { type: 'tenant', namespace: 'team-a', tier: 'gold' }, smtp('t1')),
  config('team-a-2', { type: 'tenant', namespace: 'team-a', tier: 'gold', priority: '1' }, smtp('t2')),
  config('team-b', { type: 'tenant', namespace: 'team-b', tier: 'gold' }, smtp('tb')),
];

const pick = (labels: Record<string, string>, selector?: { matchLabels: Record<string, string> }): string | undefined => {
  const snap = buildSnapshot({ receivers: [receiver('r', labels, { email: { to: ['x@example.com'], ...(selector ? { emailConfigSelector: selector } : {}) } })], configs });
  return selectConfig({ receiver: snap.receivers[0]!, channel: 'email', configs: snap.configs, settings: snap.settings })?.metadata.name;
};

describe('selectConfig', () => {
  it.each<[string, Record<string, string>, { matchLabels: Record<string, string> } | undefined, string | undefined]>([
    ['global receiver without selector: the default with the lowest priority', { type: 'global' }, undefined, 'default-a'],
    ['global receiver with a selector among defaults', { type: 'global' }, { matchLabels: { type: 'default', priority: '5' } }, 'default-a'],
    ['tenant receiver with selector: its own tenant config, lowest priority first', { type: 'tenant', namespace: 'team-a' }, { matchLabels: { tier: 'gold' } }, 'team-a-2'],
    ['tenant receiver never takes another tenant’s config', { type: 'tenant', namespace: 'team-c' }, { matchLabels: { tier: 'gold' } }, 'default-a'],
    ['tenant receiver without selector: the default', { type: 'tenant', namespace: 'team-a' }, undefined, 'default-a'],
  ])('%s', (_name, labels, selector, want) => expect(pick(labels, selector)).toBe(want));
});
