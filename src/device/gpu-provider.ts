/**
 * Finds a `GPU` object: the browser's `navigator.gpu`, or in Node the one Dawn's bindings (the npm
 * package `webgpu`) create. Kept apart so that a browser bundle never pulls in the Node package.
 */

export interface GpuProvider {
  gpu: GPU;
  /** Drops what keeps Node's event loop alive (dawn.node holds the process while its GPU is referenced). */
  release(): void;
  runtime: 'browser' | 'node';
}

/**
 * Dawn rounds timestamp queries down to 2^16 ns (65.5 µs) unless told not to, a guard for web pages
 * that would make per-kernel timing of microsecond kernels (profiles, the tuner) meaningless.
 */
const DAWN_FLAGS = ['disable-dawn-features=timestamp_quantization'];

export async function acquireGpu(dawnFlags: readonly string[] = []): Promise<GpuProvider> {
  const browserGpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (browserGpu) return { gpu: browserGpu, release() {}, runtime: 'browser' };

  if (typeof process === 'undefined' || !process.versions?.node) {
    throw new Error(
      'WebGPU is not available here: navigator.gpu is missing. Use a browser with WebGPU enabled ' +
        '(Chrome 113+, or Chromium with --enable-unsafe-webgpu), or run in Node with the `webgpu` package.',
    );
  }
  // A variable module name keeps bundlers from following this import into browser builds.
  const packageName = 'webgpu';
  let dawn: { create(flags: string[]): GPU; globals: Record<string, unknown> };
  try {
    dawn = await import(/* @vite-ignore */ packageName);
  } catch (cause) {
    throw new Error(
      "WebGPU in Node needs the npm package 'webgpu' (Dawn's bindings), which could not be loaded. " +
        'Run `npm install` in the project, then try again.',
      { cause },
    );
  }
  // Dawn's constants (GPUBufferUsage, GPUShaderStage, ...) are globals in a browser; give Node the same.
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis)) (globalThis as Record<string, unknown>)[name] = value;
  }
  // Mesa's software drivers complain on every start without a runtime dir; any writable folder will do.
  if (!process.env.XDG_RUNTIME_DIR) process.env.XDG_RUNTIME_DIR = (await import('node:os')).tmpdir();
  let gpu: GPU | null = dawn.create([...DAWN_FLAGS, ...dawnFlags]);
  return {
    get gpu() {
      if (!gpu) throw new Error('This engine was disposed: its GPU is released. Create a new engine.');
      return gpu;
    },
    release() {
      gpu = null;
    },
    runtime: 'node',
  };
}
