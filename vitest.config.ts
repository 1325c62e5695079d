import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Tests run against sources, never a stale build of a sibling workspace.
  resolve: {
    alias: [
      { find: /^@herald\/shared$/, replacement: fileURLToPath(new URL('./shared/src/index.ts', import.meta.url)) },
      { find: '@herald/shared/k8s', replacement: fileURLToPath(new URL('./shared/src/k8s/raw.ts', import.meta.url)) },
      { find: '@herald/shared/channels', replacement: fileURLToPath(new URL('./shared/src/api/channels.ts', import.meta.url)) },
      { find: '@herald/member/check', replacement: fileURLToPath(new URL('./member/src/config/check.ts', import.meta.url)) },
      { find: /^@herald\/shared\/(selector|regex|credential|duration|auth|cli|log|silence|json-bounds)$/, replacement: fileURLToPath(new URL('./shared/src/$1/$1.ts', import.meta.url)) },
    ],
  },
  test: {
    reporters: ['default', './test/support/closing-line-reporter.ts'],
    // Integration files share one set of control planes, so they run one after another.
    fileParallelism: false,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['shared/src/**/*.test.ts', 'host/src/**/*.test.ts', 'member/src/**/*.test.ts', 'hack/**/*.test.ts', 'test/harness/**/*.test.ts'],
          exclude: ['**/*.wire.test.ts', '**/node_modules/**'],
        },
      },
      {
        // Over the wire against real local servers (SMTP, HTTP APIs); no Kubernetes needed.
        extends: true,
        test: { name: 'wire', include: ['member/src/**/*.wire.test.ts', 'test/wire/**/*.test.ts'], testTimeout: 60_000 },
      },
      {
        // Real control planes reaching test processes through their service proxy: run by
        // test/netns/run.sh, in a network namespace whose loopback holds the agents' addresses.
        extends: true,
        test: { name: 'netns', include: ['test/netns/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 300_000 },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/harness/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
