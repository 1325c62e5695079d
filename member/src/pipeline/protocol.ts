/** Messages between the agent's main thread (HTTP) and its pipeline worker thread. */
import type { ConfigInput } from '../config/input.js';
import type { Depth } from '../store/outbox.js';

export interface WorkerData {
  dbPath: string;
  durability: 'normal' | 'full';
  /** Old-generation heap limit of the pipeline thread, in MB. */
  heapMb: number;
}

export type ToWorker =
  | { type: 'config'; config: ConfigInput }
  | { type: 'accepted' }
  | { type: 'metrics'; id: number }
  | { type: 'depth'; id: number }
  | { type: 'stop' };

export type FromWorker =
  /** Configured, warmed up and delivering. */
  | { type: 'ready' }
  | { type: 'metrics'; id: number; json: unknown }
  | { type: 'depth'; id: number; depth: Depth }
  | { type: 'log'; entry: Record<string, unknown> }
  | { type: 'stopped' };
