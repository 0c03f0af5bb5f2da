import { acquireGpu } from './gpu-provider.js';
import { adapterIdentity, describeAdapter, formatInfo, NO_ADAPTER_HELP, REQUESTED_LIMITS } from './adapter-info.js';
import type { TuningMode } from '../tuning/tuner.js';
import { openTuningCache, tuningMode } from '../tuning/tuning-setup.js';
import { Engine } from './engine.js';

export { TUNING_VARIABLE } from '../tuning/tuning-setup.js';

export interface EngineOptions {
  /** Print which adapter the engine got. */
  verbose?: boolean;
  /** Where verbose lines go (default: console.error). */
  log?: (line: string) => void;
  /** Flags for Dawn's `create()` in Node, e.g. `['backend=vulkan']`. */
  dawnFlags?: string[];
  powerPreference?: GPUPowerPreference;
  /**
   * Ask for a 'compatibility' adapter (WebGPU's feature level for older graphics APIs). Browsers that
   * block a CPU Vulkan driver as a core adapter may still offer it this way (Chromium on Mesa's llvmpipe,
   * about 3x faster than its own SwiftShader); every kernel here is compute-only and runs on either.
   */
  featureLevel?: 'core' | 'compatibility';
  /**
   * Poll Dawn gently while waiting (Node only; see gentle-polling.ts). Default: on CPU adapters, whose
   * cores the spinning poll would take; a GPU's waits are short and the 1 ms poll would add to each.
   */
  gentlePolling?: boolean;
  /**
   * Kernel tuning (src/tuning/tuner.ts): 'measure' times the candidate kernels of each new matmul shape
   * on first use and keeps the fastest, 'cached' uses earlier picks only, 'off' the planner's defaults.
   * Default: the WEBGPU_AAE_TUNING environment variable, else 'measure' on a GPU and 'cached' on a CPU
   * adapter, where compiling each candidate costs 0.3-2 s (a cold paper-sized AAE step: 11 s untuned,
   * 61 s measuring). Different picks round differently in the last bits: same seed, same adapter and
   * the same picks give the same numbers.
   */
  tuning?: TuningMode;
  /**
   * Where picks persist: a folder (Node), or false for memory only. Default: $XDG_CACHE_HOME (or
   * ~/.cache)/webgpu-aae/tuning in Node, localStorage in a browser.
   */
  tuningCache?: string | false;
  /**
   * Plan kernels as for this kind of adapter instead of the detected one: 'gpu' runs the workgroup-tiled
   * kernels on a CPU adapter too (tests and the kernel lab use it to check the GPU plans anywhere).
   */
  adapterKind?: 'cpu' | 'gpu';
  /** Where one-line warnings go (an unusable tuning cache, say); default console.warn. */
  warn?: (line: string) => void;
}

const defaultWarn = (line: string) => console.warn(`webgpu-aae: ${line}`);

/**
 * Finds an adapter (a clear error when there is none), asks for the limits and features the kernels use,
 * resolves the tuning mode and opens its cache: everything the engine needs before it can start.
 */
export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  const provider = await acquireGpu(options.dawnFlags);
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await provider.gpu.requestAdapter({
      powerPreference: options.powerPreference ?? 'high-performance',
      ...(options.featureLevel ? { featureLevel: options.featureLevel } : {}),
    });
  } catch (cause) {
    provider.release();
    throw new Error(`${NO_ADAPTER_HELP} (requestAdapter failed: ${String(cause)})`, { cause });
  }
  if (!adapter) {
    provider.release();
    throw new Error(NO_ADAPTER_HELP);
  }
  const limits: Record<string, number> = {};
  for (const name of REQUESTED_LIMITS) limits[name] = (adapter.limits as unknown as Record<string, number>)[name];
  const info = describeAdapter(adapter, provider.runtime, limits);
  if (options.adapterKind) info.kind = options.adapterKind;
  let mode: TuningMode;
  try {
    mode = tuningMode(options.tuning, info.kind);
  } catch (error) {
    provider.release();
    throw error;
  }
  // Timestamps time kernels (profile, tuning); subgroups let the tuner offer kernels that use them.
  const features = (['timestamp-query', 'subgroups'] as GPUFeatureName[]).filter((feature) => adapter.features.has(feature));
  const device = await adapter.requestDevice({ requiredLimits: limits, requiredFeatures: features, label: 'webgpu-aae' });
  const warn = options.warn ?? defaultWarn;
  const { cache, picks } = await openTuningCache(mode, adapterIdentity(info), options.tuningCache, warn);
  // Gentle polling on CPU adapters, whose cores a spinning poll would take; a GPU's waits are short.
  const gentlePolling = options.gentlePolling ?? info.kind === 'cpu';
  const engine = new Engine(provider, device, info, { gentlePolling, tuning: { mode, cache, picks, warn } });
  if (options.verbose) (options.log ?? console.error)(formatInfo(info));
  return engine;
}
