import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    {
      // The same as esbuild's `text` loader in the build: a .wgsl file is a module exporting its source.
      name: 'wgsl-as-text',
      load(id) {
        if (!id.endsWith('.wgsl')) return null;
        return `export default ${JSON.stringify(readFileSync(id, 'utf8'))};`;
      },
    },
  ],
  test: {
    include: ['test/**/*.test.ts'],
    // dawn.node must not be driven from worker threads ("Cannot create a handle without a HandleScope");
    // separate processes, one at a time, also keep the two cores for the software adapter.
    pool: 'forks',
    fileParallelism: false,
    // The planner's defaults everywhere: no test may depend on picks a developer's tuning cache holds.
    // (test/tuning/tuning.test.ts sets its modes itself.)
    env: { WEBGPU_AAE_TUNING: 'off' },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
