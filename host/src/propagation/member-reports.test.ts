import { describe, expect, it } from 'vitest';
import { forgetVerdicts, memberReports, withVerdict } from './member-reports.js';

const silence = (generation: number, accepted?: { status: 'True' | 'False'; message: string; observedGeneration: number }) => ({
  path: '/apis/herald.dev/v1alpha1/silences/night',
  object: { metadata: { generation }, status: accepted ? { conditions: [{ type: 'Accepted', lastTransitionTime: '2026-12-03T00:00:00Z', ...accepted }] } : {} },
});

describe('memberReports', () => {
  it('reads the agent’s verdict on the generation the copy has, and delivery health', () => {
    const reports = memberReports([
      silence(3, { status: 'False', message: 'spec.schedule: invalid cron expression', observedGeneration: 3 }),
      { path: '/apis/herald.dev/v1alpha1/receivers/ops', object: { status: { delivery: { delivered: 2, failed: 0, pending: 0 } } } },
      { path: '/api/v1/namespaces/herald-system/secrets/smtp', object: {} },
    ]);
    expect(reports.get('Silence/night')).toEqual({ accepted: { status: 'False', message: 'spec.schedule: invalid cron expression' } });
    expect(reports.get('Receiver/ops')).toEqual({ delivery: { delivered: 2, failed: 0, pending: 0 } });
    expect(reports.size).toBe(2);
  });

  it('ignores a verdict on an older generation', () => {
    expect(memberReports([silence(4, { status: 'False', message: 'old', observedGeneration: 3 })]).size).toBe(0);
  });

  it('forgets a verdict on a copy just replaced, keeping delivery health', () => {
    const reports = new Map([
      ['Silence/night', { accepted: { status: 'False' as const, message: 'x' } }],
      ['Receiver/ops', { delivery: { delivered: 1, failed: 0, pending: 0 }, accepted: { status: 'True' as const, message: '' } }],
    ]);
    forgetVerdicts(reports, [{ kind: 'Silence', metadata: { name: 'night' } }, { kind: 'Receiver', metadata: { name: 'ops' } }]);
    expect([...reports]).toEqual([['Receiver/ops', { delivery: { delivered: 1, failed: 0, pending: 0 } }]]);
  });
});

describe('withVerdict', () => {
  it('turns an applied copy the agent refused into Rejected, with its reason', () => {
    expect(withVerdict({ state: 'Applied' }, { accepted: { status: 'False', message: 'bad cron' } })).toEqual({ state: 'Rejected', message: 'the agent refused it: bad cron', accepted: 'False' });
    expect(withVerdict({ state: 'Applied' }, { accepted: { status: 'True', message: 'in use by the agent' } })).toEqual({ state: 'Applied', accepted: 'True' });
    expect(withVerdict({ state: 'Applied', message: 'Secret x not found on the host' }, undefined)).toEqual({ state: 'Applied', message: 'Secret x not found on the host', accepted: 'Unknown' });
    expect(withVerdict({ state: 'ApplyFailed', message: 'HTTP 422' }, { accepted: { status: 'False', message: 'old' } })).toEqual({ state: 'ApplyFailed', message: 'HTTP 422' });
  });
});
