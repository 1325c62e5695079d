/**
 * `npm run cluster:up [-- names…]`: starts real control planes (default host, member-a, member-b)
 * with Herald's CRDs, prints each kubeconfig path, and runs until Ctrl-C, then stops everything.
 */
import { startClusters } from './clusters.js';

const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const set = await startClusters({ names: names.length > 0 ? names : undefined, keep: true, log: console.log });
console.log(`ready in ${(set.timings.totalMs / 1000).toFixed(1)} s; state and logs in ${set.runDir}`);
for (const [name, server] of set.clusters) console.log(`  ${name}: KUBECONFIG=${server.kubeconfigPath}`);
console.log('Ctrl-C stops every process.');
const stop = async (): Promise<void> => {
  await set.stop();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
