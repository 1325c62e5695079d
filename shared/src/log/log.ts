/**
 * The one log shape of herald-agent and herald-host: JSON lines with the level's name, an ISO
 * time and the `component` that wrote it (agent, pipeline, host, leader, propagation…), then the
 * message and its fields; or, with `--log-format text`, one line for people:
 * `2026-12-03T07:00:00.000Z INFO agent message key=value`. Both processes hand the same pino
 * logger to fastify, so fastify's own lines take the shape too.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { formatText } from './text.js';

export { formatText } from './text.js';
export { PROBE_PATHS, requestFields, requestLevel } from './requests.js';
export type { Logger } from 'pino';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'text'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const isOneOf = <T extends string>(list: readonly T[], value: string): value is T => (list as readonly string[]).includes(value);

export interface LogOptions {
  level: LogLevel;
  format: LogFormat;
  /** Where lines go; stdout by default. */
  destination?: DestinationStream;
}

/** The loggers of one process, one per component; every line a component writes names it once. */
export type Logs = (component: string) => Logger;

/** A destination that writes each JSON line as a text line. */
function textDestination(to: DestinationStream): DestinationStream {
  return { write: (line: string) => to.write(`${formatText(line)}\n`) };
}

export function createLogs(o: LogOptions): Logs {
  const out = o.destination ?? pino.destination({ dest: 1, sync: false });
  // No base fields (pid, hostname): the component is the one binding, added per component so
  // that a child's child does not repeat it.
  const root = pino(
    {
      level: o.level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    o.format === 'text' ? textDestination(out) : out,
  );
  const made = new Map<string, Logger>();
  return (component) => {
    const found = made.get(component) ?? root.child({ component });
    made.set(component, found);
    return found;
  };
}

/** One log entry as the controllers and the pipeline write them: `msg` and fields. */
export type LogEntry = Record<string, unknown>;

/**
 * The `(entry) => void` the controllers take, writing to `logger`. An entry that carries an
 * `error` is a warning, others are info, unless the entry names its `level`.
 */
export function entryLog(logger: Logger): (entry: LogEntry) => void {
  return ({ msg, level, ...fields }) => {
    const chosen = typeof level === 'string' && isOneOf(LOG_LEVELS, level) && level !== 'silent' ? level : 'error' in fields ? 'warn' : 'info';
    logger[chosen](fields, typeof msg === 'string' ? msg : '');
  };
}
