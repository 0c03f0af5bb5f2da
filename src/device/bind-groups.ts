import type { PooledBuffer } from './buffer-pool.js';
import { physicalBuffer } from './planned-buffer.js';

export interface Bindable {
  readonly pooled: PooledBuffer;
  readonly byteLength: number;
}

const MAX_ENTRIES = 4096;

/**
 * Reuses bind groups for the same layout and buffers. The pool hands the same buffers out in the same
 * order step after step, so an eager training loop mostly hits here. Keys use pooled-buffer ids, which
 * are never reused, so a destroyed buffer can never match again; old entries fall out in LRU order.
 * A captured step's planned buffers are bound (and keyed) as the pool buffers the plan put them in.
 */
export class BindGroupCache {
  private readonly entries = new Map<string, GPUBindGroup>();
  private readonly layoutIds = new WeakMap<GPUBindGroupLayout, number>();
  private nextLayoutId = 1;

  constructor(private readonly device: GPUDevice) {}

  get(layout: GPUBindGroupLayout, resources: readonly Bindable[], label: string): GPUBindGroup {
    let layoutId = this.layoutIds.get(layout);
    if (layoutId === undefined) {
      layoutId = this.nextLayoutId++;
      this.layoutIds.set(layout, layoutId);
    }
    const buffers = resources.map((resource) => physicalBuffer(resource.pooled));
    let key = String(layoutId);
    resources.forEach((resource, index) => (key += `|${buffers[index]!.id}:${resource.byteLength}`));
    const cached = this.entries.get(key);
    if (cached) {
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached;
    }
    const bindGroup = this.device.createBindGroup({
      label,
      layout,
      entries: resources.map((resource, binding) => ({
        binding,
        resource: { buffer: buffers[binding]!.buffer, offset: 0, size: alignedSize(resource.byteLength) },
      })),
    });
    this.entries.set(key, bindGroup);
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    return bindGroup;
  }
}

/** Binding sizes are whole 4-byte words (f32/u32 data always is; engine.uniform insists on 16-byte blocks). */
function alignedSize(byteLength: number): number {
  return Math.ceil(byteLength / 4) * 4;
}
