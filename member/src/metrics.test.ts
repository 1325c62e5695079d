import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.js';

describe('agent metrics names', () => {
  it("keeps Node's standard process_* and nodejs_* names and prefixes Herald's own with herald_", async () => {
    const names = (await createMetrics().registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names).toContain('process_resident_memory_bytes');
    expect(names).toContain('nodejs_heap_size_used_bytes');
    const own = names.filter((n) => !n.startsWith('process_') && !n.startsWith('nodejs_'));
    expect(own.length).toBeGreaterThan(10);
    expect(own.filter((n) => !n.startsWith('herald_') || n.startsWith('herald_agent_'))).toEqual([]);
  });

  it('labels delivered by receiver and channel, failed and retried also by reason', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.delivered.inc({ receiver: 'team-a-slack', channel: 'slack' }, 2);
    m.failed.inc({ receiver: 'team-b-slack', channel: 'slack', reason: 'auth' });
    m.retried.inc({ receiver: 'team-b-slack', channel: 'slack', reason: 'rate-limited' });
    const text = await m.registry.metrics();
    expect(text).toContain('herald_notifications_delivered_total{receiver="team-a-slack",channel="slack"} 2');
    expect(text).toContain('herald_notifications_failed_total{receiver="team-b-slack",channel="slack",reason="auth"} 1');
    expect(text).toContain('herald_delivery_retries_total{receiver="team-b-slack",channel="slack",reason="rate-limited"} 1');
  });
});
