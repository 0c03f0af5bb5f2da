import type { Tensor, TensorData } from '../tensor/tensor.js';
import type { NumericsGuard } from './numerics-guard.js';
import type { SubmissionQueue } from './submission-queue.js';

/** One buffer range to read back. */
export interface ReadbackSource {
  readonly buffer: GPUBuffer;
  readonly byteLength: number;
}

/**
 * Copies GPU buffers to the CPU: each read stages its sources, one after the other, in one mappable
 * buffer, after the work recorded so far, and submits. Staging buffers are kept by power-of-two size
 * and reused, since a training loop reads the same few sizes every step.
 */
export class Readback {
  private readonly staging = new Map<number, GPUBuffer[]>();

  constructor(
    private readonly device: GPUDevice,
    private readonly queue: SubmissionQueue,
    private readonly wait: <T>(promise: Promise<T>) => Promise<T>,
    /** Throws the errors the device reported; called when mapping fails, and after every read. */
    private readonly throwErrors: () => Promise<void>,
    private readonly numerics: NumericsGuard,
  ) {}

  /** `tensor`'s values; the numerics guard's counts ride along when it has checks to report (then thrown). */
  async readTensor(tensor: Tensor): Promise<TensorData> {
    const flags = this.numerics.claimCounts(tensor);
    const [data, counts = data] = await this.read(flags && flags !== tensor ? [tensor, flags] : [tensor]);
    if (flags) this.numerics.verify(new Uint32Array(counts, 0, flags.size));
    return tensor.dtype === 'u32' ? new Uint32Array(data) : new Float32Array(data);
  }

  /** The bytes of each source, in order. */
  async read(sources: readonly ReadbackSource[]): Promise<ArrayBuffer[]> {
    const total = sources.reduce((sum, source) => sum + source.byteLength, 0);
    const staging = this.take(total);
    let offset = 0;
    for (const source of sources) {
      this.queue.record({ kind: 'copy', source, destination: { buffer: staging }, byteLength: source.byteLength, destinationOffset: offset });
      offset += source.byteLength;
    }
    this.queue.flush();
    const submission = this.queue.submitted;
    try {
      await this.wait(staging.mapAsync(GPUMapMode.READ, 0, total));
    } catch (error) {
      await this.throwErrors();
      throw error;
    }
    this.queue.markCompleted(submission);
    // One copy out of the mapped range per source, made before unmap detaches it.
    const mapped = staging.getMappedRange(0, total);
    offset = 0;
    const copies = sources.map((source) => mapped.slice(offset, (offset += source.byteLength)));
    staging.unmap();
    this.give(staging);
    await this.throwErrors();
    return copies;
  }

  destroy(): void {
    for (const list of this.staging.values()) for (const buffer of list) buffer.destroy();
    this.staging.clear();
  }

  private take(byteLength: number): GPUBuffer {
    const capacity = Math.max(256, 2 ** Math.ceil(Math.log2(byteLength)));
    const reused = this.staging.get(capacity)?.pop();
    return reused ?? this.device.createBuffer({ size: capacity, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'readback' });
  }

  private give(buffer: GPUBuffer): void {
    const list = this.staging.get(buffer.size);
    if (list) list.push(buffer);
    else this.staging.set(buffer.size, [buffer]);
  }
}
