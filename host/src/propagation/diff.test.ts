import { describe, expect, it } from 'vitest';
import { planFor } from './diff.js';
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
