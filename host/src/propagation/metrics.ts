/** The host controller's Prometheus metrics, on a registry of its own. */
import { Counter, Registry } from 'prom-client';

export interface HostMetrics {
  registry: Registry;
  drift: Counter<'cluster' | 'kind' | 'how'>;
}

export function createHostMetrics(): HostMetrics {
  const registry = new Registry();
  return {
    registry,
    drift: new Counter({
      name: 'herald_drift_repaired_total',
      help: 'Member copies found edited or deleted by hand, and restored.',
      labelNames: ['cluster', 'kind', 'how'],
      registers: [registry],
    }),
  };
}
