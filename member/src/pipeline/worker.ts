/**
 * The pipeline's thread: routing, grouping, rendering and delivery run here, on their own
 * SQLite connection, so HTTP ingest on the main thread never waits behind them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Channel } from '@herald/shared';
import { toSnapshotInput } from '../config/input.js';
import { buildSnapshot, type Snapshot } from '../config/snapshot.js';
import { createMetrics } from '../metrics.js';
import { createNotifiers, preload, sendsOverHttp } from '../notify/registry.js';
import { InhibitSourceStore } from '../store/inhibit-sources.js';
import { Outbox } from '../store/outbox.js';
import { openDb } from '../store/schema.js';
import { rendererCache } from '../template/cache.js';
import { Inhibition } from './inhibition.js';
import { Pipeline } from './pipeline.js';
import type { FromWorker, ToWorker, WorkerData } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('pipeline worker must run in a worker thread');
const send = (message: FromWorker): void => port.postMessage(message);
const { dbPath, durability } = workerData as WorkerData;

const db = openDb({ path: dbPath, durability });
const metrics = createMetrics({ defaultMetrics: false });
let snapshot: Snapshot = buildSnapshot({});
let configured = false;
const notifiers = createNotifiers();
const pipeline = new Pipeline({
  outbox: new Outbox(db),
  snapshot: () => snapshot,
  notifiers,
  renderer: rendererCache(),
  metrics,
  inhibition: new Inhibition({ store: new InhibitSourceStore(db), metrics }),
  log: (entry) => send({ type: 'log', entry }),
});

let running = false;
let stopping = false;

/**
 * Work waits for the first configuration (routing with none would send nothing anywhere) and for
 * the HTTP send path to be warmed, so the first notifications do not pay for compiling it; the
 * agent reports ready after that. Work accepted meanwhile waits in the store.
 */
async function begin(channels: Channel[]): Promise<void> {
  if (sendsOverHttp(channels)) await (await import('../notify/warm-up.js')).warmUpHttp();
  if (stopping) return;
  pipeline.start();
  running = true;
  send({ type: 'ready' });
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'config': {
      snapshot = buildSnapshot(toSnapshotInput(message.config));
      const channels = snapshot.receivers.flatMap((r) => r.channels.map((c) => c.channel));
      preload(notifiers, channels);
      if (!configured) void begin(channels);
      configured = true;
      if (running) pipeline.accepted();
      break;
    }
    case 'accepted':
      if (running) pipeline.accepted();
      break;
    case 'metrics':
      pipeline.depth();
      void metrics.registry.getMetricsAsJSON().then((json) => send({ type: 'metrics', id: message.id, json }));
      break;
    case 'depth':
      send({ type: 'depth', id: message.id, depth: pipeline.depth() });
      break;
    case 'stop':
      stopping = true;
      void (async () => {
        await pipeline.stop();
        await (await import('../notify/http.js')).closeDispatchers();
        db.close();
        send({ type: 'stopped' });
        port.close();
      })();
      break;
  }
});
