/**
 * Prints one plain closing line per run, `<project>: N passed, N failed, N skipped`, which CI reads
 * to count tests (vitest's own summary is not in a form it recognises).
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class ClosingLineReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') counts.failed++;
        else counts.skipped++;
      }
    }
    const name = process.env['npm_lifecycle_event']?.replace(/^test:/, '') ?? 'tests';
    // After vitest's own summary, which the default reporter writes at the end of this same hook.
    process.once('beforeExit', () => {
      console.log(`${name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
    });
  }
}
