/**
 * Static bearer tokens from files, one role per file: one token per line (blank lines and lines
 * starting with # are ignored), so a token is rotated by adding the new one, moving the clients,
 * then removing the old. A file is read again when it changes (checked at most every few seconds),
 * which is what a mounted Secret does when it is updated. At start a file must hold a usable
 * token; afterwards the file is the truth: emptied, deleted or unreadable, its role has no token
 * (so a token is revoked by taking it out), and a line too short to be a token is left out.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

export interface TokenFile {
  role: string;
  path: string;
}

/**
 * The token files of a server: an ingest file grants `ingest`; an admin file grants `admin` and
 * `metrics` (an operator who may administer may scrape).
 */
export function tokenFiles(paths: { ingest?: string | undefined; admin?: string | undefined }): TokenFile[] {
  return [
    ...(paths.ingest ? [{ role: 'ingest', path: paths.ingest }] : []),
    ...(paths.admin ? [{ role: 'admin', path: paths.admin }, { role: 'metrics', path: paths.admin }] : []),
  ];
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

const MIN_TOKEN = 16;

/** A file's tokens and what is wrong with it (a problem with tokens still there is only a warning). */
function load(file: TokenFile): { loaded: Loaded; problem?: string } {
  let text: string;
  let stamp: string;
  try {
    stamp = stampOf(file.path);
    text = readFileSync(file.path, 'utf8');
  } catch (err) {
    return { loaded: { ...file, digests: [], stamp: 'unreadable' }, problem: `cannot read the ${file.role} token file ${file.path}: ${(err as Error).message}` };
  }
  const all = parseTokenFile(text);
  const tokens = all.filter((t) => t.length >= MIN_TOKEN);
  const loaded = { ...file, digests: tokens.map(digest), stamp };
  if (tokens.length === 0) return { loaded, problem: `the ${file.role} token file ${file.path} holds no token${all.length > 0 ? ` of ${MIN_TOKEN} characters or more` : ''}` };
  if (tokens.length < all.length) return { loaded, problem: `the ${file.role} token file ${file.path} holds a token shorter than ${MIN_TOKEN} characters, which is left out` };
  return { loaded };
}

export class StaticTokens {
  private loaded: Loaded[];
  private checkedAt: number;

  /** Throws, naming the file, when one cannot be read or holds no usable token. */
  constructor(
    files: readonly TokenFile[],
    private readonly opts: { now?: () => number; recheckMs?: number; log?: (message: string) => void } = {},
  ) {
    this.loaded = files.map((f) => {
      const { loaded, problem } = load(f);
      if (problem) throw new Error(problem);
      return loaded;
    });
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

  /** Re-reads a file whose size, inode or mtime changed (or that went away): what it holds now is what counts. */
  private refresh(): void {
    const now = this.now();
    if (now - this.checkedAt < (this.opts.recheckMs ?? 5000)) return;
    this.checkedAt = now;
    this.loaded = this.loaded.map((l) => {
      let stamp: string;
      try {
        stamp = stampOf(l.path);
      } catch {
        stamp = 'unreadable';
      }
      if (stamp === l.stamp) return l;
      const { loaded, problem } = load(l);
      if (problem) this.opts.log?.(loaded.digests.length === 0 ? `${problem}: the ${l.role} role has no token now` : problem);
      return loaded;
    });
  }
}
