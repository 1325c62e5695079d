/** The README's first command works: the demo shows every alert arriving from both clusters. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('npm run demo', () => {
  it('runs a host and two members and shows notifications from both, by webhook and email', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'hack/demo.ts', '--once'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(out).toContain('Done: all 4 alerts arrived at the webhook and 4 emails at the mailbox, from both clusters.');
    expect(out).toContain('🪝 webhook /alerts: [member-a] KubePodCrashLooping');
    expect(out).toContain('🪝 webhook /alerts/us-east: [member-b] KubePodCrashLooping');
    expect(out).toMatch(/📧 email to oncall@demo.local: .*cluster=member-b/);
    expect(out).toContain('member-b joined');
    // The agents ran as their ServiceAccounts: heartbeat and delivery totals reached the host.
    expect(out).toMatch(/member-a: Ready=True AgentReady=True Synced=True v1\.\d+\.\d+ delivered=[1-9]/);
    expect(out).toMatch(/member-b: Ready=True AgentReady=True Synced=True v1\.\d+\.\d+ delivered=[1-9]/);
    expect(code).toBe(0);
  }, 240_000);
});
