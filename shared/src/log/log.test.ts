import { describe, expect, it } from 'vitest';
import { createLogs, entryLog, formatText, type LogFormat, type Logger, type Logs } from './log.js';

function capture(format: LogFormat, level: 'debug' | 'info' = 'info'): { lines: string[]; logs: Logs; logger: Logger } {
  const lines: string[] = [];
  const logs = createLogs({ level, format, destination: { write: (s: string) => void lines.push(...s.split('\n').filter(Boolean)) } });
  return { lines, logs, logger: logs('agent') };
}

describe('log shape', () => {
  it('writes JSON with the level name, an ISO time and the component first', () => {
    const { lines, logs } = capture('json');
    logs('pipeline').child({ reqId: 1 }).warn({ target: 'team/slack', attempt: 2 }, 'delivery failed');
    expect(lines).toHaveLength(1);
    // The component once, and no pid or hostname.
    expect(lines[0]?.match(/"component"/g)).toHaveLength(1);
    expect(lines[0]).not.toMatch(/"pid"|"hostname"/);
    const record = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(record).toMatchObject({ level: 'warn', component: 'pipeline', msg: 'delivery failed', target: 'team/slack', attempt: 2 });
    expect(record['time']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Object.keys(record).slice(0, 3)).toEqual(['level', 'time', 'component']);
  });

  it('writes text for people: time, LEVEL, component, message, key=value', () => {
    const { lines, logger } = capture('text');
    logger.info({ receivers: 3, dir: '/etc/herald config' }, 'configuration loaded');
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO agent configuration loaded receivers=3 dir="\/etc\/herald config"$/);
  });

  it('formats a line exactly', () => {
    expect(formatText('{"level":"info","time":"2026-12-03T07:00:00.000Z","component":"leader","msg":"h1 leads","lease":"herald-system/herald-host","ok":true,"n":null,"o":{"a":1}}\n')).toBe(
      '2026-12-03T07:00:00.000Z INFO leader h1 leads lease=herald-system/herald-host ok=true n=null o={"a":1}',
    );
    expect(formatText('not json\n')).toBe('not json');
  });

  it('drops what is below the level', () => {
    const { lines, logger } = capture('json');
    logger.debug('probe answered');
    expect(lines).toEqual([]);
    const verbose = capture('json', 'debug');
    verbose.logger.debug('probe answered');
    expect(verbose.lines).toHaveLength(1);
  });

  it('takes controller entries: an error makes a warning, a named level wins', () => {
    const { lines, logger } = capture('json');
    const log = entryLog(logger);
    log({ msg: 'drift repaired', cluster: 'member-a' });
    log({ msg: 'watch failed; restarting', error: 'ECONNRESET' });
    log({ msg: 'lost leadership', level: 'error' });
    expect(lines.map((l) => (JSON.parse(l) as { level: string; msg: string }).level)).toEqual(['info', 'warn', 'error']);
  });
});
