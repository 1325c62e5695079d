/** Herald's JSON log lines as tests read them (shared/src/log writes them). */

export interface LogLine {
  level: string;
  time: string;
  component: string;
  msg: string;
  path?: string;
}

/** The non-empty lines of a process's output, parsed; a line that is not JSON fails the test that reads it. */
export const parseLogLines = (output: string): LogLine[] =>
  output
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as LogLine);
