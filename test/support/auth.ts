/**
 * Real static-token authentication for in-process app tests: token files in a temporary folder,
 * one per role, and the headers that carry each token.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StaticTokens, type Authorizer } from '../../shared/src/auth/auth.js';

export type TestRole = 'ingest' | 'admin' | 'metrics';

export interface TestAuth {
  auth: Authorizer;
  tokens: Record<TestRole, string>;
  /** JSON content-type and the bearer token of a role. */
  headers(role: TestRole): Record<string, string>;
}

export function testAuth(opts: { anonymous?: TestRole[] } = {}): TestAuth {
  const dir = mkdtempSync(join(tmpdir(), 'herald-tokens-'));
  const tokens = { ingest: `ingest-${randomBytes(12).toString('hex')}`, admin: `admin-${randomBytes(12).toString('hex')}`, metrics: `metrics-${randomBytes(12).toString('hex')}` };
  const files = (Object.keys(tokens) as TestRole[]).map((role) => {
    const path = join(dir, role);
    writeFileSync(path, `${tokens[role]}\n`);
    return { role, path };
  });
  return {
    auth: { tokens: new StaticTokens(files), ...(opts.anonymous ? { anonymous: new Set(opts.anonymous) } : {}) },
    tokens,
    headers: (role) => ({ 'content-type': 'application/json', authorization: `Bearer ${tokens[role]}` }),
  };
}
