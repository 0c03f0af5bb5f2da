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
  afterAll(() => holder.engine?.dispose());
  return holder;
}
