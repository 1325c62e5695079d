/** The text form of a JSON log line, for people: `<time> <LEVEL> <component> <msg> key=value…`. */

const SIMPLE = /^[^\s"=]+$/;

function valueText(value: unknown): string {
  if (typeof value === 'string') return SIMPLE.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(value);
}

/** Formats one JSON line as the logger writes it; a line that is not a JSON object passes unchanged. */
export function formatText(line: string): string {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return line.trimEnd();
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return line.trimEnd();
  // A JSON object: read its fields as the logger wrote them.
  const { time, level, component, msg, ...fields } = record as Record<string, unknown>;
  const head = [time, typeof level === 'string' ? level.toUpperCase() : level, component].map((v) => (v === undefined ? '-' : typeof v === 'string' ? v : JSON.stringify(v)));
  const rest = Object.entries(fields).map(([k, v]) => `${k}=${valueText(v)}`);
  return [...head, ...(typeof msg === 'string' && msg !== '' ? [msg] : []), ...rest].join(' ');
}
