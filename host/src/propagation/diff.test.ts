import { describe, expect, it } from 'vitest';
import { failureKey, heldBack, planFor } from './diff.js';
import type { MemberObject } from './render.js';

const labels = { 'app.kubernetes.io/managed-by': 'herald', type: 'global' };
const rcv = (name: string, channels: string[]): MemberObject => ({ apiVersion: 'herald.dev/v1alpha1', kind: 'Receiver', metadata: { name, labels }, spec: { slack: { channels } } });
const path = (name: string): string => `/apis/herald.dev/v1alpha1/receivers/${name}`;

describe('planFor', () => {
  const a = rcv('a', ['#a']);
  const b = rcv('b', ['#b']);
  it('applies only what is missing or differs, and removes what is no longer wanted', () => {
    const plan = planFor({
      desired: [{ path: path('a'), object: a }, { path: path('b'), object: b }],
      found: [
        { path: path('a'), object: { metadata: { labels: { ...labels, extra: 'kept' } }, spec: { slack: { channels: ['#a'] } } } },
        { path: path('old'), object: { metadata: { labels }, spec: {} } },
      ],
      applied: new Map(),
    });
    expect(plan.apply.map((o) => o.metadata.name)).toEqual(['b']);
    expect(plan.remove).toEqual([path('old')]);
    expect(plan.drift).toEqual([]);
  });
  it('reports drift when what Herald applied was edited or deleted on the member', () => {
    const applied = new Map([[path('a'), JSON.stringify(a)], [path('b'), JSON.stringify(b)]]);
    const plan = planFor({
      desired: [{ path: path('a'), object: a }, { path: path('b'), object: b }],
      found: [{ path: path('a'), object: { metadata: { labels }, spec: { slack: { channels: ['#hand-edited'] } } } }],
      applied,
    });
    expect(plan.drift.map((d) => [d.object.metadata.name, d.how])).toEqual([['a', 'edited'], ['b', 'deleted']]);
  });
  it('a change on the host is an update, not drift', () => {
    const changed = rcv('a', ['#new']);
    const plan = planFor({ desired: [{ path: path('a'), object: changed }], found: [{ path: path('a'), object: { metadata: { labels }, spec: { slack: { channels: ['#a'] } } } }], applied: new Map([[path('a'), JSON.stringify(a)]]) });
    expect(plan.apply).toEqual([changed]);
    expect(plan.drift).toEqual([]);
  });
});

describe('heldBack', () => {
  const a = rcv('a', ['#a']);
  const b = rcv('b', ['#b']);
  const outcome = (o: MemberObject, secrets: string[]) => ({ kind: 'Receiver' as const, name: o.metadata.name, object: o, secrets });
  it('holds back every object referencing a Secret that failed, naming the Secret; someone else’s makes it unwanted there', () => {
    const failed = new Map([
      ['apps/db-tls', { message: 'Secret apps/db-tls exists on member-a and was not created by Herald; Herald will not overwrite it', foreign: true }],
      ['team-z/token', { message: 'Secret team-z/token: member-a forbids herald-propagator to write Secrets in team-z (403); …', foreign: false }],
    ]);
    const r = heldBack([outcome(a, ['apps/db-tls', 'herald-system/ok']), outcome(b, ['team-z/token']), outcome(rcv('c', []), ['herald-system/ok'])], failed);
    expect(Object.fromEntries(r.failures)).toEqual({
      'Secret/apps/db-tls': 'Secret apps/db-tls exists on member-a and was not created by Herald; Herald will not overwrite it',
      'Secret/team-z/token': 'Secret team-z/token: member-a forbids herald-propagator to write Secrets in team-z (403); …',
      'Receiver/a': 'Secret apps/db-tls exists on member-a and was not created by Herald; Herald will not overwrite it',
      'Receiver/b': 'Secret team-z/token: member-a forbids herald-propagator to write Secrets in team-z (403); …',
    });
    // A failure to write is retried with the copy left as it is; a foreign Secret's object goes.
    expect(r.unwanted).toEqual([a]);
    expect(failureKey(a)).toBe('Receiver/a');
    expect(failureKey({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-tls', namespace: 'apps', labels: {} } })).toBe('Secret/apps/db-tls');
  });
});
