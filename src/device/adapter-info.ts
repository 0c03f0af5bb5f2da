import type { AdapterKind } from '../kernels/matmul-plan.js';
import type { TuningReport } from '../tuning/tuner.js';

/** What the engine tells about the adapter it runs on, and the limits it asked for. */
export interface EngineInfo {
  runtime: 'browser' | 'node';
  /** 'cpu' for software adapters (lavapipe, SwiftShader, llvmpipe): kernels are planned for SIMD lanes. */
  kind: AdapterKind;
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  features: string[];
  limits: Record<string, number>;
  /** Kernel tuning: the mode, where picks are cached, what was measured and picked. */
  tuning?: TuningReport;
}

/** Limits worth more than the spec's defaults for this work: MNIST as f32 alone is 188 MB. */
export const REQUESTED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
] as const;

export function describeAdapter(adapter: GPUAdapter, runtime: 'browser' | 'node', limits: Record<string, number>): EngineInfo {
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const kind: AdapterKind = isSoftwareAdapter(info) ? 'cpu' : 'gpu';
  return {
    runtime,
    kind,
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    isFallbackAdapter: Boolean(info.isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter),
    features: [...adapter.features].sort(),
    limits,
  };
}

/** Mesa's lavapipe/llvmpipe, Chromium's SwiftShader, Windows' WARP, or anything the adapter calls a fallback. */
function isSoftwareAdapter(info: GPUAdapterInfo & { isFallbackAdapter?: boolean }): boolean {
  if (info.isFallbackAdapter) return true;
  const words = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.device ?? ''} ${info.description ?? ''}`;
  return /llvmpipe|lavapipe|swiftshader|softpipe|microsoft basic render|\bwarp\b|software/i.test(words);
}

/** The adapter in words, the same for every engine on it: names the tuning cache. */
export function adapterIdentity(info: EngineInfo): string {
  return [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' / ') || 'unnamed adapter';
}

export function formatInfo(info: EngineInfo): string {
  const name = adapterIdentity(info);
  const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;
  return (
    `WebGPU adapter: ${name}${info.isFallbackAdapter ? ' (fallback adapter)' : ''} via ${info.runtime === 'node' ? 'Dawn (npm webgpu)' : 'the browser'}; ` +
    `max storage binding ${mb(info.limits.maxStorageBufferBindingSize)}, max buffer ${mb(info.limits.maxBufferSize)}`
  );
}

export const NO_ADAPTER_HELP =
  'No WebGPU adapter was found. On a machine without a GPU, install a software Vulkan driver: on Debian run ' +
  '`sudo bash scripts/install-software-gpu.sh` (Mesa >= 24 lavapipe from bookworm-backports; Debian 12\'s own Mesa 22 is ' +
  'rejected by Dawn). Elsewhere install your GPU\'s Vulkan driver (or Mesa\'s lavapipe) and libvulkan1.';
