/** Small builders for tests: Herald objects with just the fields a test cares about. */
import { API_VERSION, type Config, type InhibitRule, type Receiver, type Router, type Silence } from '@herald/shared';

const meta = (name: string, labels: Record<string, string>): { name: string; labels: Record<string, string> } => ({ name, labels });

export const receiver = (name: string, labels: Record<string, string>, spec: Receiver['spec']): Receiver => ({
  apiVersion: API_VERSION,
  kind: 'Receiver',
  metadata: meta(name, labels),
  spec,
});
export const config = (name: string, labels: Record<string, string>, spec: Config['spec']): Config => ({
  apiVersion: API_VERSION,
  kind: 'Config',
  metadata: meta(name, labels),
  spec,
});
export const router = (name: string, spec: Router['spec']): Router => ({ apiVersion: API_VERSION, kind: 'Router', metadata: meta(name, {}), spec });
export const silence = (name: string, labels: Record<string, string>, spec: Silence['spec']): Silence => ({
  apiVersion: API_VERSION,
  kind: 'Silence',
  metadata: meta(name, labels),
  spec,
});
export const inhibitRule = (name: string, labels: Record<string, string>, spec: InhibitRule['spec']): InhibitRule => ({
  apiVersion: API_VERSION,
  kind: 'InhibitRule',
  metadata: meta(name, labels),
  spec,
});
export const slack = (channel = '#c'): Receiver['spec'] => ({ slack: { channels: [channel] } });
export const email = (to = 'a@example.com'): Receiver['spec'] => ({ email: { to: [to] } });
