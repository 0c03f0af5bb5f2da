/** What the engine tells about the adapter it runs on, and the limits it asked for. */
export interface EngineInfo {
  runtime: 'browser' | 'node';
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  features: string[];
  limits: Record<string, number>;
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
  return {
    runtime,
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    isFallbackAdapter: Boolean(info.isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter),
    features: [...adapter.features].sort(),
    limits,
  };
}

export function formatInfo(info: EngineInfo): string {
  const name = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' / ') || 'unnamed adapter';
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
