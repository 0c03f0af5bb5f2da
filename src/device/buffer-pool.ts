/**
 * Recycles GPU buffers by size class. A released buffer is handed out again only after every submit
 * that might have used it has finished on the GPU: until then a `writeBuffer` into it, or a kernel
 * writing it, could land before the earlier work read it.
 */

export interface PooledBuffer {
  readonly id: number;
  readonly buffer: GPUBuffer;
  /** Bytes the GPU buffer really has: the size class, at least what was asked. */
  readonly capacity: number;
  /** Set while a captured step owns the buffer: releases then wait for the capture's disposal. */
  owner: object | null;
}

export interface PoolStats {
  /** Bytes in buffers handed out and not yet released. */
  liveBytes: number;
  liveBuffers: number;
  /** Bytes kept for reuse (free, or waiting for their last submit to finish). */
  pooledBytes: number;
  pooledBuffers: number;
  /** Highest liveBytes + pooledBytes seen: what the pool cost the device at its peak. */
  peakBytes: number;
}

const SMALLEST_CLASS = 256;

/**
 * Rounds a request up to its size class: four classes per power of two, so at most a quarter of a
 * buffer is wasted while sizes that differ a little still share buffers.
 */
export function sizeClass(byteLength: number): number {
  if (byteLength <= SMALLEST_CLASS) return SMALLEST_CLASS;
  const octave = 2 ** Math.floor(Math.log2(byteLength - 1));
  const step = octave / 4;
  return Math.ceil(byteLength / step) * step;
}

export class BufferPool {
  private nextId = 1;
  private readonly free = new Map<number, PooledBuffer[]>();
  /** Released buffers with the submission index after which they are free. */
  private waiting: { pooled: PooledBuffer; freeAfter: number }[] = [];
  private stats: PoolStats = { liveBytes: 0, liveBuffers: 0, pooledBytes: 0, pooledBuffers: 0, peakBytes: 0 };

  constructor(
    private readonly device: GPUDevice,
    private readonly usage: GPUBufferUsageFlags,
    private readonly label: string,
  ) {}

  acquire(byteLength: number): PooledBuffer {
    const capacity = sizeClass(byteLength);
    const reused = this.free.get(capacity)?.pop();
    if (reused) {
      this.stats.pooledBytes -= capacity;
      this.stats.pooledBuffers--;
      this.markLive(reused);
      return reused;
    }
    const buffer = this.device.createBuffer({ size: capacity, usage: this.usage, label: `${this.label} #${this.nextId}` });
    const pooled: PooledBuffer = { id: this.nextId++, buffer, capacity, owner: null };
    this.markLive(pooled);
    this.stats.peakBytes = Math.max(this.stats.peakBytes, this.stats.liveBytes + this.stats.pooledBytes);
    return pooled;
  }

  /** Gives a buffer back; it is reused once submission `lastSubmission` has completed. */
  release(pooled: PooledBuffer, lastSubmission: number): void {
    this.stats.liveBytes -= pooled.capacity;
    this.stats.liveBuffers--;
    this.stats.pooledBytes += pooled.capacity;
    this.stats.pooledBuffers++;
    this.waiting.push({ pooled, freeAfter: lastSubmission });
  }

  /** Called when every submission up to `completedSubmission` has finished on the GPU. */
  reclaim(completedSubmission: number): void {
    if (this.waiting.length === 0) return;
    const stillWaiting: typeof this.waiting = [];
    for (const entry of this.waiting) {
      if (entry.freeAfter <= completedSubmission) {
        const list = this.free.get(entry.pooled.capacity);
        if (list) list.push(entry.pooled);
        else this.free.set(entry.pooled.capacity, [entry.pooled]);
      } else {
        stillWaiting.push(entry);
      }
    }
    this.waiting = stillWaiting;
  }

  /** Destroys the free buffers (not those still waiting for their submit, nor live ones). */
  trim(): void {
    for (const list of this.free.values()) {
      for (const pooled of list) {
        pooled.buffer.destroy();
        this.stats.pooledBytes -= pooled.capacity;
        this.stats.pooledBuffers--;
      }
    }
    this.free.clear();
  }

  /** Starts the peak afresh from the bytes held now. */
  resetPeak(): void {
    this.stats.peakBytes = this.stats.liveBytes + this.stats.pooledBytes;
  }

  getStats(): PoolStats {
    return { ...this.stats };
  }

  destroy(): void {
    this.trim();
    for (const { pooled } of this.waiting) pooled.buffer.destroy();
    this.waiting = [];
  }

  private markLive(pooled: PooledBuffer): void {
    this.stats.liveBytes += pooled.capacity;
    this.stats.liveBuffers++;
  }
}
