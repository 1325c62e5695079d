import { describe, expect, it } from 'vitest';
import { configOf, needsConfig, type ChannelBlock } from './config-need.js';
import type { Target } from './notifier.js';

describe('needsConfig', () => {
  it.each<[string, ChannelBlock, boolean]>([
    ['email always', { channel: 'email', spec: { to: ['a@example.com'] } }, true],
    ['opsgenie always', { channel: 'opsgenie', spec: {} }, true],
    ['webhook never', { channel: 'webhook', spec: { url: 'http://x' } }, false],
    ['pagerduty: the routing key is on the receiver', { channel: 'pagerduty', spec: { routingKey: { value: 'k' } } }, false],
    ['wechat app recipients', { channel: 'wechat', spec: { toUser: ['u'] } }, true],
    ['wechat tags only', { channel: 'wechat', spec: { toTag: ['1'] } }, true],
    ['wechat chatbot only', { channel: 'wechat', spec: { toUser: [], chatbot: { webhook: { value: 'http://bot' } } } }, false],
    ['feishu departments', { channel: 'feishu', spec: { department: ['d'] } }, true],
    ['feishu chatbot only', { channel: 'feishu', spec: { chatbot: { webhook: { value: 'http://bot' } } } }, false],
    ['dingtalk conversation', { channel: 'dingtalk', spec: { conversation: { chatids: ['c'] } } }, true],
    ['dingtalk chatbot only', { channel: 'dingtalk', spec: { chatbot: { webhook: { value: 'http://bot' } } } }, false],
  ])('%s', (_, block, want) => {
    expect(needsConfig(block)).toBe(want);
  });

  it('a send without its Config is told to wait, with the fix', () => {
    const target: Target<'slack'> = { key: 'ops/slack', receiver: 'ops', channel: 'slack', spec: { channels: ['#ops'] } };
    let thrown: unknown;
    try {
      configOf({ target });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ retryable: true, message: 'no slack Config selected for receiver ops: create a type=default slack Config or fix slackConfigSelector' });
  });
});
