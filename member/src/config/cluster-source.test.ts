import { describe, expect, it } from 'vitest';
import { contentPrint, nextConditions } from './cluster-source.js';

const now = '2026-11-21T13:00:00Z';
const earlier = '2026-11-21T12:00:00Z';
const accepted = { type: 'Accepted', status: 'True' as const, reason: 'Accepted', message: 'in use by the agent', lastTransitionTime: earlier, observedGeneration: 3 };

describe('nextConditions', () => {
  it('marks a fine object Accepted', () => {
    expect(nextConditions({ metadata: { generation: 1 } }, [], now)).toEqual([
      { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'in use by the agent', lastTransitionTime: now, observedGeneration: 1 },
    ]);
  });
  it('writes nothing when the condition is already right (a write would start another rebuild)', () => {
    expect(nextConditions({ metadata: { generation: 3 }, status: { conditions: [accepted] } }, [], now)).toBeUndefined();
  });
  it('flips to False with the problems as the message, keeping other conditions', () => {
    const other = { type: 'Other', status: 'True' as const, reason: 'x', message: 'y', lastTransitionTime: earlier };
    const next = nextConditions(
      { metadata: { generation: 4 }, status: { conditions: [other, accepted] } },
      [{ kind: 'Silence', name: 's', message: 'spec.schedule: invalid cron expression' }],
      now,
    );
    expect(next).toEqual([other, { type: 'Accepted', status: 'False', reason: 'Invalid', message: 'spec.schedule: invalid cron expression', lastTransitionTime: now, observedGeneration: 4 }]);
  });
  it('keeps the transition time when only the generation moves', () => {
    expect(nextConditions({ metadata: { generation: 5 }, status: { conditions: [accepted] } }, [], now)?.[0]).toMatchObject({ lastTransitionTime: earlier, observedGeneration: 5 });
  });
});

describe('contentPrint', () => {
  const receiver = { apiVersion: 'herald.dev/v1alpha1', kind: 'Receiver', metadata: { name: 'ops', labels: { type: 'global' }, resourceVersion: '1' }, spec: { webhook: { url: 'http://x/' } } };
  it('ignores status and bookkeeping, so the agent’s own status writes rebuild nothing', () => {
    const written = { ...receiver, metadata: { ...receiver.metadata, resourceVersion: '2', managedFields: [] }, status: { delivery: { delivered: 3 } } };
    expect(contentPrint(written)).toBe(contentPrint(receiver));
  });
  it('sees spec, label and Secret data changes', () => {
    expect(contentPrint({ ...receiver, spec: { webhook: { url: 'http://y/' } } })).not.toBe(contentPrint(receiver));
    expect(contentPrint({ ...receiver, metadata: { ...receiver.metadata, labels: { type: 'tenant' } } })).not.toBe(contentPrint(receiver));
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { token: 'YQ==' } };
    expect(contentPrint({ ...secret, data: { token: 'Yg==' } })).not.toBe(contentPrint(secret));
  });
});
