import type { Engine } from '../device/engine.js';
import type { PooledBuffer } from '../device/buffer-pool.js';
import { formatShape, type Shape } from './shape.js';
import type { TapeNode } from '../autograd/tape.js';

/** `f32` for values; `u32` for indices, labels and packed bytes. */
export type DType = 'f32' | 'u32';

export type TensorData = Float32Array | Uint32Array;

let nextTensorId = 1;

/**
 * A row-major array on the GPU. Its storage comes from the engine's pool and goes back on
 * `dispose()` (or at the end of the `engine.scope` that made it).
 */
export class Tensor {
  readonly id = nextTensorId++;
  readonly size: number;
  /** Whether backward should compute a gradient for this tensor. */
  requiresGrad = false;
  /** The accumulated gradient of a leaf tensor after `backward`. */
  grad: Tensor | null = null;
  /** The op that made this tensor, kept while a backward pass may still need it. */
  node: TapeNode | null = null;
  name: string | undefined;
  private storage: PooledBuffer | null;

  constructor(
    readonly engine: Engine,
    readonly shape: Shape,
    readonly dtype: DType,
    storage: PooledBuffer,
  ) {
    this.shape = Object.freeze([...shape]);
    this.size = shape.reduce((product, dim) => product * dim, 1);
    this.storage = storage;
  }

  get byteLength(): number {
    return this.size * 4;
  }

  get disposed(): boolean {
    return this.storage === null;
  }

  /** The GPU buffer; bind it with `byteLength`, since pooled buffers may be larger. */
  get buffer(): GPUBuffer {
    return this.pooled.buffer;
  }

  get pooled(): PooledBuffer {
    if (!this.storage) {
      throw new Error(
        `Tensor ${this.describe()} was used after dispose(). Keep it alive (engine.keep, or return it from the scope) while it is needed.`,
      );
    }
    return this.storage;
  }

  /** Copies the tensor to the CPU. Resolves after the GPU work that writes it has run. */
  read(): Promise<TensorData> {
    return this.engine.read(this);
  }

  /** Reads a one-element tensor as a number. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new Error(`item(): tensor ${this.describe()} has ${this.size} elements, not 1.`);
    return (await this.read())[0];
  }

  /** Overwrites the contents in place (same size and dtype), ordered after all work recorded so far. */
  write(data: ArrayLike<number>): void {
    this.engine.write(this, data);
  }

  dispose(): void {
    if (!this.storage) return;
    this.engine.releaseStorage(this, this.storage);
    this.storage = null;
    this.node = null;
  }

  describe(): string {
    return `${this.name ? `'${this.name}' ` : ''}${formatShape(this.shape)} ${this.dtype}`;
  }

  toString(): string {
    return `Tensor(${this.describe()}${this.disposed ? ', disposed' : ''})`;
  }
}
