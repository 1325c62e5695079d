import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { HOST_IMAGE } from './host-manifests.js';
import { agentImage, DEFAULT_AGENT_IMAGE, DEFAULT_HOST_IMAGE } from './image.js';

const rootVersion = async (): Promise<string> =>
  (JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('the default images', () => {
  it('are tagged with the root package.json version', async () => {
    const version = await rootVersion();
    expect(DEFAULT_AGENT_IMAGE).toBe(`ghcr.io/herald-dev/herald-agent:${version}`);
    expect(DEFAULT_HOST_IMAGE).toBe(`ghcr.io/herald-dev/herald-host:${version}`);
  });

  it('agree with the host image init installs', () => {
    expect(HOST_IMAGE).toBe(DEFAULT_HOST_IMAGE);
  });

  it('takes another version', () => {
    expect(agentImage('1.2.3-rc.1')).toBe('ghcr.io/herald-dev/herald-agent:1.2.3-rc.1');
  });
});
