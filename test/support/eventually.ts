/** Polling for tests: the one place a test waits for something to become true. */

/** Polls until `find` gives something other than undefined; fails with `describe()` after `ms`. */
export async function eventually<T>(find: () => Promise<T | undefined> | T | undefined, describe: () => string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${describe()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Turns a check into what `eventually` waits for: true when it holds, undefined until then. */
export const holds = (check: () => boolean): true | undefined => (check() ? true : undefined);

/**
 * Waits until `check` holds; fails naming `what` (and `detail()`, when given) after `ms`.
 * A check that throws has not held yet (the error is named if it never does). Polls every
 * `every` ms, 100 unless a test needs to see a state sooner than that.
 */
export async function until(what: string, check: () => boolean | Promise<boolean>, opts: { ms?: number; detail?: () => string; every?: number } = {}): Promise<void> {
  const { ms = 30_000, detail, every = 100 } = opts;
  const deadline = Date.now() + ms;
  for (;;) {
    let threw = '';
    try {
      if (await check()) return;
    } catch (e) {
      threw = ` (the check threw: ${e instanceof Error ? e.message : JSON.stringify(e)})`;
    }
    if (Date.now() > deadline) {
      const more = detail?.() ?? '';
      throw new Error(`timed out after ${ms} ms waiting for ${what}${threw}${more === '' ? '' : `\n${more}`}`);
    }
    await new Promise((r) => setTimeout(r, every));
  }
}
