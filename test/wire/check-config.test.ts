/**
 * `heraldctl check-config DIR` says what the agent would: the same folder given to a real
 * herald-agent --config-dir logs each problem the check reports (the check also names the
 * Secrets the folder lacks, which the agent finds only when it sends). A clean folder passes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { startAgent } from './agent-process.js';
import { cleanupAfterEach, eventually, holds } from './am-scenario.js';

const CTL = fileURLToPath(new URL('../../host/src/ctl/cli.ts', import.meta.url));
const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const API = 'herald.dev/v1alpha1';
const track = cleanupAfterEach();

function check(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CTL, 'check-config', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}

const obj = (kind: string, name: string, spec: unknown, labels: Record<string, string> = { type: 'global' }) => ({ apiVersion: API, kind, metadata: { name, labels }, spec });

/** A folder with one of each kind of mistake, beside objects that are fine. */
function brokenFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'herald-check-'));
  const docs = [
    obj('Settings', 'default', { batchMaxWait: '0s' }, {}),
    obj('Receiver', 'ok-hook', { webhook: { url: 'http://127.0.0.1:9/hook' } }),
    obj('Receiver', 'bad-field', { webhook: { url: 42 } }),
    obj('Router', 'bad-regex', { alertSelector: { matchExpressions: [{ key: 'job', operator: 'Match', regexValue: '(unclosed' }] }, receivers: { name: ['ok-hook'] } }),
    obj('Silence', 'bad-cron', { matcher: { matchLabels: { alertname: 'X' } }, schedule: 'nightly', duration: '1h' }),
    obj('Template', 'bad-template', { templates: { broken: '{{#if open}} never closed' } }),
    obj('Config', 'mail', { email: { from: 'herald@example.com', smartHost: { host: '127.0.0.1', port: 25 }, authPassword: { secretKeyRef: { name: 'no-such-secret', key: 'password' } } } }),
    obj('Config', 'mail-key', { email: { from: 'herald@example.com', smartHost: { host: '127.0.0.1', port: 25 }, authPassword: { secretKeyRef: { name: 'mail-secret', key: 'pasword' } } } }),
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'mail-secret', namespace: 'herald-system' }, stringData: { password: 's3cret' } },
  ];
  writeFileSync(join(dir, 'objects.yaml'), docs.map((d) => stringify(d)).join('---\n'));
  writeFileSync(join(dir, 'torn.yaml'), 'kind: Receiver\nmetadata: {name: [unclosed\n');
  return dir;
}

describe('heraldctl check-config', () => {
  it('passes the shipped examples', async () => {
    const r = await check(EXAMPLES);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Receiver/);
    expect(r.out.trim().endsWith('no problems')).toBe(true);
  });

  it('reports every problem the agent logs for the same folder, and the missing Secrets', async () => {
    const dir = brokenFolder();
    const r = await check(dir, '-o', 'json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as { loaded: Record<string, number>; problems: { kind: string; name: string; message: string }[] };
    const names = report.problems.map((p) => `${p.kind}/${p.name}`);
    expect(names).toEqual(expect.arrayContaining(['File/torn.yaml', 'Receiver/bad-field', 'Router/bad-regex', 'Silence/bad-cron', 'Template/bad-template', 'Config/mail', 'Config/mail-key']));
    expect(names).not.toContain('Receiver/ok-hook');
    const message = (name: string): string => report.problems.find((p) => `${p.kind}/${p.name}` === name)?.message ?? '';
    expect(message('Receiver/bad-field')).toContain('spec.webhook');
    expect(message('Router/bad-regex')).toContain('spec.alertSelector.matchExpressions[0].regexValue');
    expect(message('Silence/bad-cron')).toContain('spec.schedule: invalid cron expression "nightly"');
    expect(message('Config/mail')).toBe('spec.email.authPassword.secretKeyRef: Secret herald-system/no-such-secret is not in the folder');
    expect(message('Config/mail-key')).toBe('spec.email.authPassword.secretKeyRef: Secret herald-system/mail-secret has no key pasword');
    // The secret's value is never printed.
    expect(r.out).not.toContain('s3cret');

    // A real agent on the same folder logs each of the others, in the same words.
    const agent = await startAgent({ configDir: dir });
    track(() => agent.stop());
    const agentSide = report.problems.filter((p) => p.kind !== 'Config');
    // A template problem names the template first (`broken: does not compile…`); the agent logs it as a field.
    const words = (p: { kind: string; message: string }): string => (p.kind === 'Template' ? p.message.slice(p.message.indexOf(': ') + 2) : p.message);
    const logged = (p: { kind: string; message: string }): boolean => agent.output().includes(JSON.stringify(words(p)).slice(1, 61));
    await eventually(() => holds(() => agentSide.every(logged)), () => `the agent logged: ${agent.output()}`, 15_000);
    expect(agentSide.length).toBe(5);
  });

  it('prints a summary for people, and refuses what is not a folder', async () => {
    const r = await check(brokenFolder());
    expect(r.code).toBe(1);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(/: 2 Config, 1 Receiver, 1 Router, 1 Secret, 1 Settings, 1 Silence, 1 Template$/);
    expect(lines[1]).toBe('7 problems:');
    expect(lines).toContain('  Config mail: spec.email.authPassword.secretKeyRef: Secret herald-system/no-such-secret is not in the folder');
    const missing = await check('/no/such/dir');
    expect(missing.code).toBe(2);
    expect(missing.err.split('\n')[0]).toBe('heraldctl: /no/such/dir: no such folder');
  });
});
