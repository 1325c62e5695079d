/**
 * Static bearer tokens from files, one role per file: one token per line (blank lines and lines
 * starting with # are ignored), so a token is rotated by adding the new one, moving the clients,
 * then removing the old. A file is read again when it changes (checked at most every few seconds),
 * which is what a mounted Secret does when it is updated.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

export interface TokenFile {
  role: string;
  path: string;
}

interface Loaded {
  role: string;
  path: string;
  /** SHA-256 of each token: equal length, so comparing them reveals nothing through timing. */
  digests: Buffer[];
  stamp: string;
}

const digest = (token: string): Buffer => createHash('sha256').update(token).digest();

/** The tokens in a file's text (pure). */
export function parseTokenFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

function stampOf(path: string): string {
  const s = statSync(path);
  return `${s.mtimeMs}:${s.size}:${s.ino}`;
}

function load(file: TokenFile): Loaded {
  let text: string;
  let stamp: string;
  try {
    stamp = stampOf(file.path);
    text = readFileSync(file.path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the ${file.role} token file ${file.path}: ${(err as Error).message}`);
  }
  const tokens = parseTokenFile(text);
  if (tokens.length === 0) throw new Error(`the ${file.role} token file ${file.path} holds no token`);
  const short = tokens.find((t) => t.length < 16);
  if (short !== undefined) throw new Error(`the ${file.role} token file ${file.path} holds a token shorter than 16 characters`);
  return { ...file, digests: tokens.map(digest), stamp };
}

export class StaticTokens {
  private loaded: Loaded[];
  private checkedAt: number;

  /** Throws, naming the file, when one cannot be read or holds no usable token. */
  constructor(
    files: readonly TokenFile[],
    private readonly opts: { now?: () => number; recheckMs?: number; log?: (message: string) => void } = {},
  ) {
    this.loaded = files.map(load);
    this.checkedAt = this.now();
  }

  get roles(): string[] {
    return [...new Set(this.loaded.map((l) => l.role))];
  }

  /** The roles the token grants (none when it matches no file). */
  rolesOf(token: string): Set<string> {
    this.refresh();
    const given = digest(token);
    const roles = new Set<string>();
    // Every digest is compared, so the time taken does not say which file (or line) matched.
    for (const l of this.loaded) for (const d of l.digests) if (timingSafeEqual(given, d)) roles.add(l.role);
    return roles;
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /** Re-reads a file whose size, inode or mtime changed; a file that became unusable keeps its old tokens. */
  private refresh(): void {
    const now = this.now();
    if (now - this.checkedAt < (this.opts.recheckMs ?? 5000)) return;
    this.checkedAt = now;
    this.loaded = this.loaded.map((l) => {
      try {
        return stampOf(l.path) === l.stamp ? l : load(l);
      } catch (err) {
        this.opts.log?.(`${(err as Error).message}; keeping the tokens read before`);
        return l;
      }
    });
  }
}
