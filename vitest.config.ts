import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['idp/test/**/*.test.ts', 'harness/test/**/*.test.ts'],
    globalSetup: ['idp/test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
