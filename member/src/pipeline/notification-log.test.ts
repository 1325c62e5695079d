import { describe, expect, it } from 'vitest';
import type { Notification } from '../model/notification.js';
import { decide, decodeEntry, encodeEntry, type BatchPart, type LogEntry } from './notification-log.js';

const W = 30_000;
const alert = (fp: string, status: 'firing' | 'resolved' = 'firing'): Notification => ({
  fingerprint: fp,
  status,
  labels: { alertname: fp },
  annotations: {},
  startsAt: '2026-12-02T10:00:00Z',
  endsAt: status === 'resolved' ? '2026-12-02T10:05:00Z' : '0001-01-01T00:00:00Z',
  generatorURL: '',
  source: 'alertmanager',
});
const f = (fp: string): Notification => alert(fp);
const r = (fp: string): Notification => alert(fp, 'resolved');
let seq = 0;
/** One whole Alertmanager request of group `g`. */
const am = (notifications: Notification[], opts: { group?: string; request?: string; final?: boolean; truncated?: number; from?: string } = {}): BatchPart => ({
  request: opts.request ?? `req${++seq}`,
  final: opts.final ?? true,
  origin: { group: opts.group ?? 'g', externalURL: opts.from ?? 'http://am:9093', truncated: opts.truncated ?? 0 },
  notifications,
});

/** Runs batches in order; each is delivered at its time unless the log says no. Returns what was sent. */
function run(steps: { at: number; parts: BatchPart[] }[], start?: LogEntry): { sent: string[]; entry: LogEntry | undefined } {
  let entry = start;
  const sent: string[] = [];
  for (const s of steps) {
    const d = decide(entry, s.parts, { now: s.at, windowMs: W });
    if (!d.send) continue;
    sent.push(`${s.at}:${d.status}:${d.alerts.map((a) => `${a.fingerprint}${a.status === 'firing' ? '+' : '-'}`).join(',')}`);
    // Through the store's form, as a restart would read it.
    const e = encodeEntry(d.next);
    entry = decodeEntry({ ...e, sentAt: s.at });
  }
  return { sent, entry };
}

describe('notification log', () => {
  it.each([
    {
      name: 'a partly resolved group stays firing and carries both alerts',
      steps: [
        { at: 0, parts: [am([f('p1'), f('p2')])] },
        { at: 60_000, parts: [am([r('p1'), f('p2')])] },
        { at: 120_000, parts: [am([r('p2')])] },
      ],
      sent: ['0:firing:p1+,p2+', '60000:firing:p1-,p2+', '120000:resolved:p2-'],
    },
    {
      name: 'a re-fire after a resolve goes out',
      steps: [
        { at: 0, parts: [am([f('f1')])] },
        { at: 10_000, parts: [am([r('f1')])] },
        { at: 20_000, parts: [am([f('f1')])] },
      ],
      sent: ['0:firing:f1+', '10000:resolved:f1-', '20000:firing:f1+'],
    },
    {
      name: 'repeat_interval reminders past the window go out; an HA copy inside it does not',
      steps: [
        { at: 0, parts: [am([f('a')])] },
        { at: 2_000, parts: [am([f('a')])] },
        { at: 40_000, parts: [am([f('a')])] },
        { at: 80_000, parts: [am([f('a')])] },
        { at: 81_000, parts: [am([f('a')])] },
      ],
      sent: ['0:firing:a+', '40000:firing:a+', '80000:firing:a+'],
    },
    {
      name: "a gossiping peer's late firing copy after the resolve (and its own resolve after it) is not sent",
      steps: [
        { at: 0, parts: [am([f('a')], { from: 'http://am-0' })] },
        { at: 60_000, parts: [am([r('a')], { from: 'http://am-0' })] },
        { at: 61_000, parts: [am([f('a')], { from: 'http://am-1' })] },
        { at: 63_000, parts: [am([r('a')], { from: 'http://am-1' })] },
      ],
      sent: ['0:firing:a+', '60000:resolved:a-'],
    },
    {
      name: 'a re-fire is sent when it comes from the Alertmanager that resolved, or from a peer after the window',
      steps: [
        { at: 0, parts: [am([f('a'), f('b')], { from: 'http://am-0' })] },
        { at: 60_000, parts: [am([r('a'), r('b')], { from: 'http://am-0' })] },
        { at: 65_000, parts: [am([f('a')], { from: 'http://am-0' })] },
        { at: 95_000, parts: [am([f('a'), f('b')], { from: 'http://am-1' })] },
      ],
      sent: ['0:firing:a+,b+', '60000:resolved:a-,b-', '65000:firing:a+', '95000:firing:a+,b+'],
    },
    {
      name: "a late copy is left out of a batch that goes out for another alert",
      steps: [
        { at: 0, parts: [am([f('a')], { from: 'http://am-0' })] },
        { at: 60_000, parts: [am([r('a')], { from: 'http://am-0' })] },
        { at: 61_000, parts: [am([f('a'), f('b')], { from: 'http://am-1' })] },
      ],
      sent: ['0:firing:a+', '60000:resolved:a-', '61000:firing:b+'],
    },
    {
      name: "an HA peer's copy of a resolve is one delivery",
      steps: [
        { at: 0, parts: [am([f('a')])] },
        { at: 60_000, parts: [am([r('a')])] },
        { at: 62_000, parts: [am([r('a')])] },
      ],
      sent: ['0:firing:a+', '60000:resolved:a-'],
    },
    {
      name: 'a resolve the log never saw fire is forwarded, not lost',
      steps: [{ at: 0, parts: [am([r('x')])] }],
      sent: ['0:resolved:x-'],
    },
    {
      name: 'a newly firing alert goes out at once, inside the window',
      steps: [
        { at: 0, parts: [am([f('a')])] },
        { at: 1_000, parts: [am([f('a'), f('b')])] },
      ],
      sent: ['0:firing:a+', '1000:firing:a+,b+'],
    },
    {
      name: 'the group stays firing while an alert of another Alertmanager group of it fires',
      steps: [
        { at: 0, parts: [am([f('a')], { group: 'g1' }), am([f('b')], { group: 'g2' })] },
        { at: 60_000, parts: [am([r('a')], { group: 'g1' })] },
        { at: 120_000, parts: [am([r('b')], { group: 'g2' })] },
      ],
      sent: ['0:firing:a+,b+', '60000:firing:a-', '120000:resolved:b-'],
    },
    {
      name: "an alert a newer request of its group no longer names has left the group",
      steps: [
        { at: 0, parts: [am([f('a'), f('b')])] },
        { at: 60_000, parts: [am([f('b')])] },
        { at: 120_000, parts: [am([r('b')])] },
      ],
      sent: ['0:firing:a+,b+', '60000:firing:b+', '120000:resolved:b-'],
    },
    {
      name: 'the alert is sent once, in its latest state, when a batch holds several requests',
      steps: [{ at: 0, parts: [am([f('a')]), am([r('a')]), am([f('a')])] }],
      sent: ['0:firing:a+'],
    },
  ])('$name', ({ steps, sent }) => {
    expect(run(steps).sent).toEqual(sent);
  });

  it('a request split over batches resolves the group only at its last part', () => {
    const start = run([{ at: 0, parts: [am([f('a'), f('b'), f('c')], { request: 'r0' })] }]).entry;
    // r1 says a and b resolved, c still firing, but arrives in two batches.
    const first = decide(start, [am([r('a')], { request: 'r1', final: false })], { now: 60_000, windowMs: W });
    expect(first).toMatchObject({ send: true, status: 'firing' });
    const second = decide(first.next, [am([r('b'), f('c')], { request: 'r1' })], { now: 61_000, windowMs: W });
    expect(second).toMatchObject({ send: true, status: 'firing' });
    // A later request that no longer names c means c is gone: the group resolves.
    const third = decide(second.next, [am([r('c')], { request: 'r2' })], { now: 120_000, windowMs: W });
    expect(third.status).toBe('resolved');
  });

  it('survives a restart between any two steps (the stored entry is the same entry)', () => {
    const d = decide(undefined, [am([f('a'), f('b')]), am([r('c')])], { now: 5, windowMs: W });
    const back = decodeEntry({ ...encodeEntry(d.next), sentAt: 5 });
    expect(back).toEqual(d.next);
  });

  it('says in history why a late copy was not sent', () => {
    const fired = decide(undefined, [am([f('a')], { from: 'http://am-0' })], { now: 0, windowMs: W });
    const resolved = decide(fired.next, [am([r('a')], { from: 'http://am-0' })], { now: 1000, windowMs: W });
    const late = decide(resolved.next, [am([f('a')], { from: 'http://am-1' })], { now: 2000, windowMs: W });
    expect(late).toMatchObject({ send: false, reason: 'late copy from another Alertmanager of alerts resolved within the 30s dedup window' });
  });

  it('reads an entry stored before the resolving Alertmanager was kept: a re-fire from anyone goes out', () => {
    const old = decodeEntry({ firing: JSON.stringify({ names: [], alerts: [] }), resolved: JSON.stringify([['a', 1000]]), sentAt: 1000 });
    expect(decide(old, [am([f('a')], { from: 'http://am-1' })], { now: 2000, windowMs: W }).send).toBe(true);
  });

  it('passes truncatedAlerts through, summed over the requests, and the last externalURL', () => {
    const d = decide(undefined, [am([f('a')], { request: 'x', truncated: 3 }), am([f('b')], { request: 'y', truncated: 4 })], { now: 0, windowMs: W });
    expect(d).toMatchObject({ truncatedAlerts: 7, externalURL: 'http://am:9093', sourceGroups: ['g'] });
  });

  it('always sends events and audit notifications, which are one-shot', () => {
    const event: BatchPart = { request: 'e', final: true, origin: undefined, notifications: [{ ...f('ev'), source: 'event' }] };
    const once = decide(undefined, [event], { now: 0, windowMs: W });
    const again = decide(once.next, [event], { now: 1, windowMs: W });
    expect([once.send, again.send]).toEqual([true, true]);
    expect(again.next.firing.size).toBe(0);
  });
});
