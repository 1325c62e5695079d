/**
 * Bundles the agent (from its sources) and its dependencies into member/bundle: two entries,
 * cli.js and worker.js (the pipeline thread), plus shared chunks. This is the form the agent ships
 * and runs in. V8 keeps the source text of every module it loads, and the dependencies' sources
 * are large (@kubernetes/client-node alone is 22 MB of generated code and comments, 17 MB of the
 * HTTP thread's heap): without comments and whitespace the in-cluster agent's heap is 12 MB smaller
 * and its peak RSS under the 1M-alert bench ~20 MB lower. Names are kept, so stack traces stay
 * readable; linked source maps point back to the code.
 * better-sqlite3 stays outside: it loads a native addon by path.
 */
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

const at = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
export const BUNDLE_DIR = at('../member/bundle');
/** The bundled agent's entry: what tests, the bench and a Deployment run. */
export const BUNDLED_CLI = at('../member/bundle/cli.js');

/** How Herald's programs are bundled: ESM for Node, small (see above) but with readable names. */
export const NODE_BUNDLE: BuildOptions = {
  // Its paths map @herald/shared to shared's sources, so the bundle does not depend on a tsc build.
  tsconfig: at('../tsconfig.tools.json'),
  bundle: true,
  // ESM chunks: the channels' modules are still loaded only when a configuration uses them.
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  legalComments: 'external',
  sourcemap: 'linked',
  // CommonJS dependencies call require(); an ESM bundle needs one made for it.
  banner: { js: "import { createRequire as __heraldRequire } from 'node:module'; const require = __heraldRequire(import.meta.url);" },
  logLevel: 'warning',
};

export async function bundleAgent(outdir = BUNDLE_DIR): Promise<void> {
  await rm(outdir, { recursive: true, force: true });
  await build({
    ...NODE_BUNDLE,
    entryPoints: { cli: at('../member/src/cli.ts'), worker: at('../member/src/pipeline/worker.ts') },
    outdir,
    external: ['better-sqlite3'],
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await bundleAgent();
  console.log(`agent bundled into ${BUNDLE_DIR}`);
}
