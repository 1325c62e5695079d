/**
 * The pipeline's thread: routing, grouping, rendering and delivery run here, on their own
 * SQLite connection, so HTTP ingest on the main thread never waits behind them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toSnapshotInput } from '../config/input.js';
import { buildSnapshot, type Snapshot } from '../config/snapshot.js';
import { createMetrics } from '../metrics.js';
import { createNotifiers, preload } from '../notify/registry.js';
import { Outbox } from '../store/outbox.js';
import { openDb } from '../store/schema.js';
import { rendererCache } from '../template/cache.js';
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
  log: (entry) => send({ type: 'log', entry }),
});

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'config':
      snapshot = buildSnapshot(toSnapshotInput(message.config));
      preload(notifiers, snapshot.receivers.flatMap((r) => r.channels.map((c) => c.channel)));
      // Work waits for the first configuration: routing with none would send nothing anywhere.
      if (!configured) pipeline.start();
      configured = true;
      pipeline.accepted();
      break;
    case 'accepted':
      if (configured) pipeline.accepted();
      break;
    case 'metrics':
      pipeline.depth();
      void metrics.registry.getMetricsAsJSON().then((json) => send({ type: 'metrics', id: message.id, json }));
      break;
    case 'depth':
      send({ type: 'depth', id: message.id, depth: pipeline.depth() });
      break;
    case 'stop':
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
send({ type: 'ready' });
