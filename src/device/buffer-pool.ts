/**
 * Recycles GPU buffers by size class. The queue runs everything in the order it was sent, so a released
 * buffer may serve a kernel recorded later at once: that kernel runs after every earlier use. Only an
 * upload (`queue.writeBuffer`) jumps ahead of commands recorded but not yet submitted, so a buffer waits
 * for the submit that may still read it to finish before it takes an upload.
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
  /** Released buffers, by size class, with the submission after which they may take uploads too. */
  private readonly waiting = new Map<number, { pooled: PooledBuffer; freeAfter: number }[]>();
  private stats: PoolStats = { liveBytes: 0, liveBuffers: 0, pooledBytes: 0, pooledBuffers: 0, peakBytes: 0 };

  constructor(
    private readonly device: GPUDevice,
    private readonly usage: GPUBufferUsageFlags,
    private readonly label: string,
  ) {}

  /**
   * A buffer of at least `byteLength` bytes. One whose first writer is a kernel or copy recorded from now
   * on may be one released a moment ago; `forUpload` asks for one nothing recorded may still read.
   */
  acquire(byteLength: number, forUpload = false): PooledBuffer {
    const capacity = sizeClass(byteLength);
    const reused = (forUpload ? undefined : this.waiting.get(capacity)?.pop()?.pooled) ?? this.free.get(capacity)?.pop();
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

  /** Gives a buffer back: kernels may reuse it now, uploads once submission `lastSubmission` has completed. */
  release(pooled: PooledBuffer, lastSubmission: number): void {
    this.stats.liveBytes -= pooled.capacity;
    this.stats.liveBuffers--;
    this.stats.pooledBytes += pooled.capacity;
    this.stats.pooledBuffers++;
    const entry = { pooled, freeAfter: lastSubmission };
    const list = this.waiting.get(pooled.capacity);
    if (list) list.push(entry);
    else this.waiting.set(pooled.capacity, [entry]);
  }

  /** Called when every submission up to `completedSubmission` has finished on the GPU. */
  reclaim(completedSubmission: number): void {
    for (const [capacity, entries] of this.waiting) {
      const done = entries.filter((entry) => entry.freeAfter <= completedSubmission);
      if (done.length === 0) continue;
      this.waiting.set(capacity, entries.filter((entry) => entry.freeAfter > completedSubmission));
      const list = this.free.get(capacity);
      const reclaimed = done.map((entry) => entry.pooled);
      if (list) list.push(...reclaimed);
      else this.free.set(capacity, reclaimed);
    }
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
    for (const entries of this.waiting.values()) for (const { pooled } of entries) pooled.buffer.destroy();
    this.waiting.clear();
  }

  private markLive(pooled: PooledBuffer): void {
    this.stats.liveBytes += pooled.capacity;
    this.stats.liveBuffers++;
  }
}
