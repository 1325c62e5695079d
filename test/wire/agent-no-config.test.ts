/**
 * A receiver whose channel needs a Config it does not have waits for one, whatever the channel:
 * a WeChat Work app receiver used to drop its batch as terminal (WeChat and Feishu were not among
 * the channels the pipeline held back). The Config created later delivers what waited.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { configDir, startAgent } from './agent-process.js';
import { startFakeWechat } from './wechat.js';
import { API, cleanupAfterEach, eventually, historyOf, settingsObject } from './am-scenario.js';

const track = cleanupAfterEach();

describe('a receiver without the Config its channel needs', () => {
  it('waits for one (retrying, saying what to create) and delivers once it exists', async () => {
    const wechat = await startFakeWechat({ corpId: 'corp1', corpSecret: 'app-secret-1', agentId: 1000002, botKey: 'bot-key', users: ['zhangsan'] });
    track(() => wechat.close());
    const receiver = { apiVersion: API, kind: 'Receiver', metadata: { name: 'wx', labels: { type: 'global' } }, spec: { wechat: { toUser: ['zhangsan'] } } };
    const objects: unknown[] = [settingsObject(), receiver];
    const dir = configDir(objects);
    const agent = await startAgent({ configDir: dir });
    track(() => agent.stop());
    const explain = (): string => `agent:\n${agent.output()}\nwechat got: ${JSON.stringify(wechat.messages)}`;

    const res = await fetch(`${agent.url}/api/v2/alerts`, {
      method: 'POST',
      headers: agent.headers('ingest'),
      body: JSON.stringify({ version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'NeedsConfig', severity: 'critical' }, startsAt: new Date().toISOString() }] }),
    });
    expect(res.status).toBe(200);
    const waiting = await eventually(async () => (await historyOf(agent, 'retrying')).at(0), explain);
    expect(waiting.reason).toBe('config');
    expect(waiting.answer).toContain('no wechat Config selected for receiver wx: create a type=default wechat Config or fix wechatConfigSelector');
    expect(await historyOf(agent, 'failed')).toEqual([]);

    const config = {
      apiVersion: API,
      kind: 'Config',
      metadata: { name: 'wx-app', labels: { type: 'default' } },
      spec: { wechat: { wechatApiUrl: wechat.apiUrl, wechatApiCorpId: 'corp1', wechatApiAgentId: '1000002', wechatApiSecret: { value: 'app-secret-1' } } },
    };
    writeFileSync(join(dir, 'objects.yaml'), [...objects, config].map((o) => stringify(o)).join('---\n'));
    const message = await eventually(() => wechat.messages.at(0), explain);
    expect(message.touser).toBe('zhangsan');
    expect(message.content).toContain('NeedsConfig');
    expect(await historyOf(agent, 'failed')).toEqual([]);
  });
});
