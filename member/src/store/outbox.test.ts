import { describe, expect, it } from 'vitest';
import { Outbox, partOf } from './outbox.js';
import { openDb } from './schema.js';

const segment = (outbox: Outbox, count: number, size: number): void => {
  const notifications = JSON.stringify(Array.from({ length: count }, (_, i) => ({ i, pad: 'x'.repeat(size) })));
  outbox.routed([{ inboxId: outbox.accept('alertmanager', '{}', count, 0), segments: [{ target: 't/webhook', groupKey: 'g', receivedAt: 0, count, notifications, request: 'r1' }] }]);
};
const batchSizes = (outbox: Outbox): number[] => {
  const sizes: number[] = [];
  for (;;) {
    const id = outbox.closeGroup({ target: 't/webhook', groupKey: 'g', maxSize: 100, maxBytes: 10_000, now: 0 });
    if (id === undefined) return sizes;
    sizes.push(outbox.batchSegments(id).flatMap((s) => JSON.parse(s.notifications) as unknown[]).length);
  }
};

describe('closeGroup', () => {
  it('keeps a batch to about maxBytes of notifications, splitting a segment by its average size', () => {
    const outbox = new Outbox(openDb({ path: ':memory:' }));
    // 30 notifications of ~1 KB each: about 9 fit in 10 KB.
    segment(outbox, 30, 1000);
    const sizes = batchSizes(outbox);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(30);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(10);
    expect(sizes.length).toBeGreaterThanOrEqual(3);
  });

  it('claims whole segments while they fit, and sends a notification larger than maxBytes alone', () => {
    const outbox = new Outbox(openDb({ path: ':memory:' }));
    segment(outbox, 2, 100);
    segment(outbox, 1, 50_000);
    segment(outbox, 3, 100);
    expect(batchSizes(outbox)).toEqual([2, 1, 3]);
  });
});

describe('partOf', () => {
  it.each([
    [{ count: 10, bytes: 1000 }, { room: 100, byteRoom: 500, first: false }, 5],
    [{ count: 10, bytes: 1000 }, { room: 3, byteRoom: 5000, first: false }, 3],
    [{ count: 10, bytes: 1000 }, { room: 100, byteRoom: 50, first: false }, 0],
    [{ count: 10, bytes: 1000 }, { room: 100, byteRoom: 50, first: true }, 1],
    [{ count: 1, bytes: 9000 }, { room: 100, byteRoom: 1000, first: true }, 1],
  ])('%j with %j takes %i', (seg, left, n) => expect(partOf(seg, left)).toBe(n));
});
