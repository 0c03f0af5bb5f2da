// Device access and gentle waiting for the kernel lab (local until the engine core provides
// src/device/gentle-polling.ts).
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { create, globals } from 'webgpu';

export interface LabGpu {
  device: GPUDevice;
  adapterName: string;
  release(): void;
}

const keepAlive = new Set<unknown>();

export async function acquireGpu(): Promise<LabGpu> {
  // Mesa complains on stderr without a runtime dir; it reads the variable when the driver loads.
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  Object.assign(globalThis, globals);
  const gpu = create([]);
  keepAlive.add(gpu);
  const adapter = await gentleWait(gpu.requestAdapter());
  if (!adapter) throw new Error('no WebGPU adapter (is a Vulkan driver such as lavapipe installed?)');
  const device = await gentleWait(
    adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
      },
    }),
  );
  device.addEventListener('uncapturederror', (event) => {
    console.error('WebGPU error:', (event as GPUUncapturedErrorEvent).error.message);
  });
  return {
    device,
    adapterName: adapter.info.description || adapter.info.vendor,
    // Keep the GPU object from create() alive until release: if it is garbage-collected while the
    // device is in use, dawn.node aborts the process (futex / mutex errors) or hangs.
    release: () => {
      device.destroy();
      keepAlive.delete(gpu);
    },
  };
}

/**
 * Awaits a Dawn promise without spinning a core. dawn.node polls its events through the global
 * setImmediate while a promise is pending; on a 2-core machine that spin steals CPU from lavapipe.
 * After the first 0.5 ms of a wait, its polls are routed to a 1 ms timer instead.
 */
export async function gentleWait<T>(promise: Promise<T>): Promise<T> {
  const immediate = globalThis.setImmediate;
  const started = performance.now();
  const gentle = ((callback: (...args: unknown[]) => void, ...args: unknown[]) =>
    performance.now() - started < 0.5
      ? immediate(callback, ...args)
      : setTimeout(callback, 1, ...args)) as unknown as typeof setImmediate;
  globalThis.setImmediate = gentle;
  try {
    return await promise;
  } finally {
    globalThis.setImmediate = immediate;
  }
}

/** Reads a text file given relative to the package root (found from this module's location). */
export function readProjectText(relativePath: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'shaders'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package root not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return readFileSync(join(dir, relativePath), 'utf8');
}
