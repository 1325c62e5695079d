/**
 * Assembles the file tree a container image holds, and nothing else: `tsx hack/image-tree.ts
 * agent|host OUTDIR`. The Dockerfiles run this in their build stage and copy OUTDIR to /app, and
 * test/integration/image-tree.test.ts runs a copy of it far from the repository, so what the test
 * proves is what the image ships.
 * - agent: the bundle (cli.js, worker.js, chunks) and better-sqlite3, which stays outside the
 *   bundle because it loads its native addon by path: its lib/, the compiled addon, and `bindings`
 *   (and its `file-uri-to-path`) that find that addon. Not its sources, deps/ or build objects.
 * - host: herald-host (cli.js) and heraldctl (ctl.js); no native dependencies.
 * Source maps are left out (Node ignores them unless asked); the bundles' legal comments stay.
 */
import { cp, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { HERALD_VERSION } from '../shared/src/version.js';
import { bundleAgent, NODE_BUNDLE } from './bundle-agent.js';

export type ImageKind = 'agent' | 'host';

const at = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

/** The files of a package, relative to its folder, that it needs at run time. */
const RUNTIME_FILES: Record<string, string[]> = {
  'better-sqlite3': ['package.json', 'LICENSE', 'lib', 'build/Release/better_sqlite3.node'],
  bindings: ['package.json', 'LICENSE.md', 'bindings.js'],
  'file-uri-to-path': ['package.json', 'LICENSE', 'index.js'],
};

/** Copies one package's run-time files into OUTDIR/node_modules; resolved as `from` would. */
async function copyPackage(name: string, from: string, outdir: string): Promise<string> {
  const dir = dirname(createRequire(from).resolve(`${name}/package.json`));
  for (const file of RUNTIME_FILES[name] ?? []) {
    await cp(join(dir, file), join(outdir, 'node_modules', name, file), { recursive: true });
  }
  return join(dir, 'package.json');
}

async function agentTree(outdir: string): Promise<void> {
  await bundleAgent(outdir);
  // Resolved from each requirer, as Node would: bindings from better-sqlite3, and so on.
  const sqlite = await copyPackage('better-sqlite3', at('../member/package.json'), outdir);
  const bindings = await copyPackage('bindings', sqlite, outdir);
  await copyPackage('file-uri-to-path', bindings, outdir);
}

async function hostTree(outdir: string): Promise<void> {
  await rm(outdir, { recursive: true, force: true });
  await build({ ...NODE_BUNDLE, entryPoints: { cli: at('../host/src/cli.ts'), ctl: at('../host/src/ctl/cli.ts') }, outdir });
}

async function dropSourceMaps(dir: string): Promise<void> {
  for (const name of await readdir(dir)) if (name.endsWith('.js.map')) await rm(join(dir, name));
}

/** Total bytes of the files under `dir`. */
export async function treeSize(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += (await stat(join(e.parentPath, e.name))).size;
  }
  return total;
}

/** Builds the image tree of `kind` into `outdir` (emptied first). */
export async function imageTree(kind: ImageKind, outdir: string): Promise<void> {
  const out = resolve(outdir);
  await (kind === 'agent' ? agentTree(out) : hostTree(out));
  await dropSourceMaps(out);
  await mkdir(out, { recursive: true });
  // "type": "module" makes Node load the .js bundles as ESM; nothing here is installed from npm.
  const pkg = { name: `herald-${kind}`, version: HERALD_VERSION, private: true, type: 'module', license: 'Apache-2.0' };
  await writeFile(join(out, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
}

const isKind = (k: string | undefined): k is ImageKind => k === 'agent' || k === 'host';

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [kind, outdir] = process.argv.slice(2);
  if (!isKind(kind) || !outdir) {
    console.error('usage: tsx hack/image-tree.ts agent|host OUTDIR');
    process.exit(2);
  }
  await imageTree(kind, outdir);
  console.log(`herald-${kind} image tree in ${resolve(outdir)}: ${((await treeSize(outdir)) / 1024 / 1024).toFixed(1)} MiB`);
}
