import { afterAll, beforeAll } from 'vitest';
import { createEngine, type EngineOptions } from '../../src/device/create-engine.js';
import type { Engine } from '../../src/device/engine.js';

/**
 * One engine per test file, made in beforeAll: dawn.node must not be started inside a test body
 * (see vitest.config.ts). Use as `const gpu = useEngine();` then `gpu.engine` inside tests.
 */
export function useEngine(options: EngineOptions = {}): { engine: Engine } {
  const holder = {} as { engine: Engine };
  beforeAll(async () => {
    holder.engine = await createEngine(options);
  });
  afterAll(async () => {
    // Let the GPU finish what was sent before the device is destroyed: destroying it with work in
    // flight let Dawn's threads race the worker's exit (an abort, std::system_error, about 1 run in 8).
    await holder.engine?.sync().catch(() => {});
    holder.engine?.dispose();
  });
  return holder;
}
