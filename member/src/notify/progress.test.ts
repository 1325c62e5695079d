import { describe, expect, it } from 'vitest';
import { once, progressOf, stepKey } from './progress.js';

describe('stepKey', () => {
  it('is stable for the same destination and content, and differs otherwise', () => {
    expect(stepKey('chat 1#0/2', 'hello')).toBe(stepKey('chat 1#0/2', 'hello'));
    expect(stepKey('chat 1#0/2', 'hello')).not.toBe(stepKey('chat 2#0/2', 'hello'));
    expect(stepKey('chat 1#0/2', 'hello')).not.toBe(stepKey('chat 1#0/2', 'hello!'));
    expect(stepKey('x', new URLSearchParams({ a: '1' }))).not.toBe(stepKey('x', new URLSearchParams({ a: '2' })));
  });
  it('never holds the content (a payload may carry a token)', () => {
    expect(stepKey('webhook', { token: 'xoxb-secret' })).not.toContain('xoxb-secret');
  });
});

describe('once', () => {
  it('sends a step once: a second attempt with the same progress skips it', async () => {
    const progress = progressOf({});
    let calls = 0;
    const send = (): Promise<string> => Promise.resolve(`HTTP 200 #${++calls}`);
    expect(await once(progress, 'a', send)).toBe('HTTP 200 #1');
    expect(await once(progress, 'a', send)).toBe('HTTP 200 #1 (sent by an earlier attempt)');
    expect(calls).toBe(1);
    expect(progress.steps).toEqual({ a: 'HTTP 200 #1' });
  });
  it('records nothing for a failed step, and sends every time without progress', async () => {
    const progress = progressOf({});
    await expect(once(progress, 'b', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(progress.steps).toEqual({});
    let calls = 0;
    await once(undefined, 'c', () => Promise.resolve(String(++calls)));
    await once(undefined, 'c', () => Promise.resolve(String(++calls)));
    expect(calls).toBe(2);
  });
});
