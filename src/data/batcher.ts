import { deriveSeed, seededUniform } from '../random/seeded.js';

export interface BatcherOptions {
  /** Indices per batch. */
  batchSize: number;
  /** Seeds the shuffles: epoch e is shuffled with deriveSeed(seed, e), the same on every run. */
  seed?: number;
  /**
   * Default true: every batch has exactly `batchSize` indices, as a captured step needs (its
   * shapes are fixed), and the `size % batchSize` left over at the end of an epoch are skipped;
   * they differ from epoch to epoch, since each epoch is reshuffled, so no index is left out for
   * good. False: the last batch of an epoch holds the remainder and may be smaller.
   */
  dropLast?: boolean;
}

/**
 * Minibatches of indices drawn without replacement from a pool (e.g. the training indices of a
 * split), reshuffled every epoch. `next()` gives an endless stream that runs into the next epoch
 * as needed (for a labelled set smaller than the unlabelled one, cycled alongside it);
 * `for (const batch of batcher)` walks the rest of the current epoch, or a whole new one.
 */
export class Batcher {
  readonly batchSize: number;
  readonly dropLast: boolean;
  readonly seed: number;
  private readonly pool: Uint32Array;
  private order: Uint32Array;
  private position = 0;
  private epochIndex = -1;

  /** `pool`: the indices to draw from, or a count n for 0..n-1. */
  constructor(pool: ArrayLike<number> | number, { batchSize, seed = 1, dropLast = true }: BatcherOptions) {
    this.pool = typeof pool === 'number' ? rangeOf(pool) : Uint32Array.from(pool);
    if (typeof pool !== 'number') {
      const bad = Array.prototype.findIndex.call(pool, (value: number) => !Number.isInteger(value) || value < 0 || value > 0xffffffff);
      if (bad >= 0) throw new Error(`Batcher: pool value ${pool[bad]} at ${bad} is not an index (a whole number from 0).`);
    }
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new Error(`Batcher: batchSize must be a positive whole number, got ${String(batchSize)}.`);
    }
    if (this.pool.length === 0) throw new Error('Batcher: the pool of indices is empty.');
    if (dropLast && this.pool.length < batchSize) {
      throw new Error(
        `Batcher: a pool of ${this.pool.length} indices makes no full batch of ${batchSize}; use a smaller batchSize, or dropLast: false for one partial batch per epoch.`,
      );
    }
    this.batchSize = batchSize;
    this.dropLast = dropLast;
    this.seed = seed;
    this.order = this.pool;
  }

  /** Indices in the pool. */
  get size(): number {
    return this.pool.length;
  }

  get batchesPerEpoch(): number {
    return this.dropLast ? Math.floor(this.size / this.batchSize) : Math.ceil(this.size / this.batchSize);
  }

  /** The epoch the last batch came from, counting from 0 (-1 before the first batch). */
  get epoch(): number {
    return this.epochIndex;
  }

  /** Whether the current epoch has no batch left (true before the first batch too). */
  get epochFinished(): boolean {
    const left = this.size - this.position;
    return this.epochIndex < 0 || left === 0 || (this.dropLast && left < this.batchSize);
  }

  /** Makes the next batch the first of epoch `epoch` (resuming a run at an epoch boundary). */
  startAt(epoch: number): void {
    if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`Batcher.startAt: epoch ${epoch} must be a whole number from 0.`);
    this.epochIndex = epoch - 1;
    this.position = this.size;
  }

  /** The next batch, starting a new, reshuffled epoch when the current one has no batch left. */
  next(): Uint32Array {
    if (this.epochFinished) this.startEpoch();
    const batch = this.order.slice(this.position, this.position + this.batchSize);
    this.position += batch.length;
    return batch;
  }

  /** The batches left in the current epoch, or all those of a new epoch when it is finished. */
  *[Symbol.iterator](): IterableIterator<Uint32Array> {
    if (this.epochFinished) this.startEpoch();
    while (!this.epochFinished) yield this.next();
  }

  private startEpoch(): void {
    this.epochIndex++;
    this.order = shuffleInPlace(Uint32Array.from(this.pool), deriveSeed(this.seed, this.epochIndex));
    this.position = 0;
  }
}

/** The labels of `indices` as u32, ready for a labels tensor's write(). */
export function pickLabels(labels: ArrayLike<number>, indices: ArrayLike<number>): Uint32Array {
  const picked = new Uint32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i];
    if (index >= labels.length) throw new Error(`pickLabels: index ${index} (at ${i}) is outside the ${labels.length} labels.`);
    picked[i] = labels[index];
  }
  return picked;
}

/** 0..count-1 in a seeded random order. */
export function shuffledRange(count: number, seed: number): Uint32Array {
  return shuffleInPlace(rangeOf(count), seed);
}

/** Shuffles `values` in place (Fisher–Yates) in an order fixed by `seed`. Returns them. */
export function shuffleInPlace(values: Uint32Array, seed: number): Uint32Array {
  const random = seededUniform(seed);
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const held = values[i];
    values[i] = values[j];
    values[j] = held;
  }
  return values;
}

function rangeOf(count: number): Uint32Array {
  if (!Number.isInteger(count) || count < 0) throw new Error(`a count of ${String(count)} indices must be a whole number from 0.`);
  const range = new Uint32Array(count);
  for (let i = 0; i < count; i++) range[i] = i;
  return range;
}
