/**
 * What to tell an operator when the store cannot be opened at start (pure): one line naming the
 * path, what is wrong and what to do, instead of a stack trace.
 */
export function storeOpenProblem(err: unknown, path: string): string {
  const code = (err as { code?: string }).code ?? '';
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return `the store ${path} is damaged or not a Herald store (${message}): move it aside to start with an empty one (what it held is then not delivered), or restore it from a backup`;
  }
  if (code === 'SQLITE_CANTOPEN' || code.startsWith('SQLITE_READONLY') || code === 'EACCES' || code === 'EROFS' || code === 'EPERM') {
    return `cannot open the store ${path} for writing (${message}): the data folder must exist and be writable by the agent's user (--data-dir)`;
  }
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return `no space left for the store ${path} (${message}): free some space on its volume`;
  return `cannot open the store ${path}: ${message}`;
}
