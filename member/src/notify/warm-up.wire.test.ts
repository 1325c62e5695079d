import { describe, expect, it } from 'vitest';
import { sendsOverHttp } from './registry.js';
import { warmUpHttp } from './warm-up.js';

describe('HTTP warm-up', () => {
  it('sends through the real send path to a loopback server and reports it worked', async () => {
    expect(await warmUpHttp()).toBe(true);
  });

  it('is wanted when any channel sends through postHttp, not for SMTP or Slack alone', () => {
    expect(sendsOverHttp(['email', 'slack'])).toBe(false);
    expect(sendsOverHttp([])).toBe(false);
    expect(sendsOverHttp(['email', 'webhook'])).toBe(true);
    expect(sendsOverHttp(['dingtalk'])).toBe(true);
  });
});
