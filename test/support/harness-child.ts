/**
 * Starts control planes in a child process for the harness lifecycle test, prints their PIDs, then
 * misbehaves as asked: `throw` (an uncaught error) or `hang` (waits to be SIGKILLed).
 */
import { startClusters } from '../harness/clusters.js';

const mode = process.argv[2];
const set = await startClusters({ names: ['solo'], crds: false });
console.log(`READY ${JSON.stringify({ pids: set.pids(), runDir: set.runDir })}`);
if (mode === 'throw') {
  setTimeout(() => {
    throw new Error('a test failed badly');
  }, 10);
} else {
  setInterval(() => undefined, 1000);
}
