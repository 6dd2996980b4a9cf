import { defineConfig } from 'vitest/config';

// End-to-end tests: the built frontend in Chromium against app/devserve.
// Run by `make test-e2e` (which builds both first) inside scripts/session.sh.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['e2e/**/*.e2e.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});
