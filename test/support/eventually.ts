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
