/** One etcd on loopback, shared by every API server of a harness run (one key prefix each). */
import { join } from 'node:path';
import { freePort, get, waitFor } from './net.js';
import { supervise, tail, type Supervised } from './processes.js';

export interface Etcd {
  url: string;
  process: Supervised;
  stop(): Promise<void>;
}

export async function startEtcd(binary: string, runDir: string): Promise<Etcd> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const proc = supervise(runDir, 'etcd', binary, [
    '--name=herald-test',
    `--data-dir=${join(runDir, 'etcd-data')}`,
    `--listen-client-urls=${url}`,
    `--advertise-client-urls=${url}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=herald-test=${peer}`,
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ]);
  let exited = false;
  void proc.exited.then(() => (exited = true));
  await waitFor(
    async () => {
      if (exited) throw new Error('exited');
      const res = await get(`${url}/health`);
      return res.status === 200 && res.body.includes('"true"');
    },
    { timeoutMs: 30_000, describe: () => `etcd did not become healthy${exited ? ' (it exited)' : ''}:\n${tail(proc.logFile)}` },
  ).catch(async (err: unknown) => {
    await proc.stop();
    throw err;
  });
  return { url, process: proc, stop: () => proc.stop() };
}
