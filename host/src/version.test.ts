import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { HOST_VERSION } from './version.js';

describe('HOST_VERSION', () => {
  it('is the root package.json version (bump both together)', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(HOST_VERSION).toBe(pkg.version);
  });
});
