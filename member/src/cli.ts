#!/usr/bin/env node
/**
 * herald-agent: the member agent. Standalone: `herald-agent --config-dir DIR [--port N]
 * [--data-dir DIR]` reads Herald objects and Secrets from DIR and reloads them on change.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Agent } from './agent.js';
import { loadDir, watchDir } from './config/dir-source.js';

const USAGE = `usage: herald-agent --config-dir DIR [--port 19093] [--host 0.0.0.0] [--data-dir ./herald-data]
                    [--token-file FILE] [--durability normal|full] [--log-level info] [--pipeline-heap-mb 64]
                    [--body-limit 8388608]
  --config-dir   folder of Herald YAML objects (Config, Receiver, Router, Silence, Template, Settings) and Secrets
  --data-dir     where the durable queue and delivery history are kept
  --token-file   require "Authorization: Bearer <token>" on /api/v2/* (or set HERALD_TOKEN)
  --pipeline-heap-mb  heap limit of the delivery pipeline's thread (the HTTP thread takes Node's own flags)
  --body-limit   largest request body in bytes; larger ones get 413`;

interface CliOptions {
  configDir: string;
  port: number;
  host: string;
  dataDir: string;
  token?: string;
  durability: 'normal' | 'full';
  logLevel: string;
  pipelineHeapMb: number;
  bodyLimit: number;
}

function options(): CliOptions {
  const { values } = parseArgs({
    options: {
      'config-dir': { type: 'string' },
      port: { type: 'string', default: '19093' },
      host: { type: 'string', default: '0.0.0.0' },
      'data-dir': { type: 'string', default: './herald-data' },
      'token-file': { type: 'string' },
      durability: { type: 'string', default: 'normal' },
      'log-level': { type: 'string', default: 'info' },
      'pipeline-heap-mb': { type: 'string', default: '64' },
      'body-limit': { type: 'string', default: String(8 * 1024 * 1024) },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const fail = (message: string): never => {
    console.error(`herald-agent: ${message}\n${USAGE}`);
    process.exit(2);
  };
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port ${values.port} is not a port`);
  if (!values['config-dir']) fail('--config-dir is required (in-cluster mode reads the cluster instead; see the README)');
  if (values.durability !== 'normal' && values.durability !== 'full') fail('--durability is normal or full');
  const pipelineHeapMb = Number(values['pipeline-heap-mb']);
  if (!Number.isInteger(pipelineHeapMb) || pipelineHeapMb < 16) fail('--pipeline-heap-mb is a whole number of MB, at least 16');
  const bodyLimit = Number(values['body-limit']);
  if (!Number.isInteger(bodyLimit) || bodyLimit < 1024) fail('--body-limit is a number of bytes, at least 1024');
  const token = values['token-file'] ? readFileSync(values['token-file'], 'utf8').trim() : process.env['HERALD_TOKEN'];
  return {
    configDir: values['config-dir'] as string,
    port,
    host: values.host,
    dataDir: values['data-dir'],
    token: token || undefined,
    durability: values.durability as 'normal' | 'full',
    logLevel: values['log-level'],
    pipelineHeapMb,
    bodyLimit,
  };
}

async function main(): Promise<void> {
  const o = options();
  const agent = new Agent({ ...o, pipelineHeapMb: o.pipelineHeapMb });
  const reload = async (): Promise<void> => {
    try {
      const { config, problems } = await loadDir(o.configDir);
      const snap = agent.setConfig(config, problems);
      const count = problems.length + snap.problems.length;
      agent.app.log.info(`configuration loaded from ${o.configDir}: ${snap.receivers.length} receivers, ${snap.configs.length} configs, ${count} problems`);
    } catch (err) {
      agent.app.log.error(`cannot read ${o.configDir}: ${(err as Error).message}; keeping the previous configuration`);
    }
  };
  await reload();
  const watcher = watchDir(o.configDir, () => void reload());
  const address = await agent.start();
  agent.app.log.info(`herald-agent listening on ${address}; cluster ${agent.snapshot.settings.cluster.name}`);
  const stop = async (): Promise<void> => {
    watcher.close();
    await agent.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

await main();
