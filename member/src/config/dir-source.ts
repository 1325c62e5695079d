/**
 * Standalone configuration: the same YAML objects (and Secrets) read from a folder, reloaded
 * when a file changes. A file that does not parse is reported and the rest still load.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Problem } from './snapshot.js';
import { sortObjects, type ConfigInput, type RawObject } from './objects.js';

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => {
      const path = join(dir, e.name);
      if (e.isDirectory()) return files(path);
      return Promise.resolve(/\.(ya?ml|json)$/.test(e.name) ? [path] : []);
    }),
  );
  return nested.flat().sort();
}

/** loadDir reads every object under `dir`; problems name the file and the field at fault. */
export async function loadDir(dir: string): Promise<{ config: ConfigInput; problems: Problem[] }> {
  const objects: { object: RawObject; where: string }[] = [];
  const problems: Problem[] = [];
  for (const path of await files(dir)) {
    const where = relative(dir, path);
    const docs = parseAllDocuments(await readFile(path, 'utf8'));
    for (const doc of docs) {
      if (doc.errors.length > 0) {
        problems.push({ kind: 'File', name: where, message: `${where}: ${doc.errors[0]?.message ?? 'invalid YAML'}` });
        continue;
      }
      const object = doc.toJS() as RawObject | null;
      if (object && typeof object === 'object') objects.push({ object, where });
    }
  }
  const sorted = sortObjects(objects);
  return { config: sorted.input, problems: [...problems, ...sorted.problems] };
}

const CONFIG_FILE = /\.(ya?ml|json)$/;

async function dirsUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => dirsUnder(join(dir, e.name))));
  return [dir, ...nested.flat()];
}

/**
 * watchDir calls `onChange` (debounced) when a YAML or JSON file under `dir` changes. One plain
 * watcher per folder: Node 20 emulates recursive watching on Linux by rescanning the whole tree on
 * every event, which costs a third of the CPU when the data folder (SQLite) sits inside `dir`.
 * Folders are found again after each change, so new ones are watched too.
 */
export function watchDir(dir: string, onChange: () => void, debounceMs = 200): { close(): void } {
  let watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const arm = async (): Promise<void> => {
    const dirs = await dirsUnder(dir);
    if (closed) return;
    for (const w of watchers) w.close();
    watchers = dirs.map((d) =>
      watch(d, (_event, file) => {
        if (file !== null && !CONFIG_FILE.test(file) && !dirs.includes(join(d, file))) return;
        clearTimeout(timer);
        timer = setTimeout(() => {
          onChange();
          void arm();
        }, debounceMs);
      }),
    );
  };
  void arm();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
