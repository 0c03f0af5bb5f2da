import type { Engine } from '../device/engine.js';
import { defineKernel, perElementLaunch, type KernelDefinition } from '../kernels/kernel.js';
import { checkShape, formatShape, sizeOf, type Shape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import source from '../../shaders/philox.wgsl';

const WORKGROUP_SIZE = 64;
const kernel = (entryPoint: string, bindings: KernelDefinition['bindings']) =>
  defineKernel({ name: `philox:${entryPoint}`, source, entryPoint, bindings });
const uniformKernel = kernel('sample_uniform', ['uniform', 'write']);
const normalKernel = kernel('sample_normal', ['uniform', 'write']);
const bernoulliScalarKernel = kernel('sample_bernoulli_scalar', ['uniform', 'write']);
const bernoulliTensorKernel = kernel('sample_bernoulli_tensor', ['uniform', 'read', 'write']);
const categoricalKernel = kernel('sample_categorical', ['uniform', 'read', 'write']);
const philoxBlocksKernel = kernel('philox_blocks', ['uniform', 'read', 'write']);

/** Where a stream is: its seed and how many Philox blocks (4 words each) it has used. */
export interface RandomState {
  seed: number;
  blocks: number;
}

/**
 * Seeded random numbers made on the GPU by Philox4x32-10, a counter-based generator: the seed is the
 * key, and every draw takes the next blocks of a 64-bit counter kept here on the CPU. The counter
 * reaches the kernel through `engine.uniform`, whose fill advances it, so a captured step draws fresh
 * numbers on each replay, and a seed gives the same sequence whether its steps run eagerly or replayed.
 * Each value uses one 32-bit word (a block holds four); `categorical` uses one block per row.
 * The results are constants: no gradient flows into them.
 */
export class Random {
  private blocks = 0;
  private readonly key: Uint32Array;

  constructor(
    readonly engine: Engine,
    readonly seed: number,
  ) {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new Error(`Random: seed ${seed} must be a whole number from 0 to 2^53 - 1.`);
    }
    this.key = new Uint32Array([seed % 2 ** 32, Math.floor(seed / 2 ** 32)]);
  }

  /** Values uniform in [low, high). */
  uniform(shape: Shape, low = 0, high = 1): Tensor {
    if (!(Number.isFinite(low) && Number.isFinite(high) && low < high)) {
      throw new Error(`Random.uniform: the range [${low}, ${high}) must be finite with low < high.`);
    }
    return this.fourPerBlock('Random.uniform', uniformKernel, shape, { LOW: low, HIGH: high });
  }

  /** Normally distributed values with the given mean and standard deviation (Box-Muller). */
  normal(shape: Shape, mean = 0, std = 1): Tensor {
    if (!(Number.isFinite(mean) && Number.isFinite(std) && std >= 0)) {
      throw new Error(`Random.normal: mean ${mean} must be finite and std ${std} finite and >= 0.`);
    }
    return this.fourPerBlock('Random.normal', normalKernel, shape, { MEAN: mean, STD: std });
  }

  /**
   * 1 with probability p, else 0: one value per element of a probabilities tensor, or `shape` values
   * for a single probability `p`.
   */
  bernoulli(probabilities: Tensor | number, shape?: Shape): Tensor {
    if (typeof probabilities === 'number') {
      if (!(probabilities >= 0 && probabilities <= 1)) {
        throw new Error(`Random.bernoulli: probability ${probabilities} must be within [0, 1].`);
      }
      if (!shape) throw new Error('Random.bernoulli: give the shape of the result when the probability is a number: bernoulli(p, shape).');
      return this.fourPerBlock('Random.bernoulli', bernoulliScalarKernel, shape, { PROBABILITY: probabilities });
    }
    if (probabilities.dtype !== 'f32') {
      throw new Error(`Random.bernoulli: probabilities ${probabilities.describe()} must be f32.`);
    }
    if (shape && sizeOf(shape) !== probabilities.size) {
      throw new Error(`Random.bernoulli: shape ${formatShape(shape)} differs from the probabilities' ${formatShape(probabilities.shape)}; leave it out.`);
    }
    const output = this.engine.empty(probabilities.shape);
    const blocks = Math.ceil(output.size / 4);
    const launch = perElementLaunch(blocks, WORKGROUP_SIZE);
    this.engine.dispatch(
      bernoulliTensorKernel,
      { COUNT: output.size, WORKGROUP_SIZE, ROW_STRIDE: launch.constants.ROW_STRIDE },
      [this.nextBlocks(blocks), probabilities, output],
      launch.workgroups,
    );
    return output;
  }

  /**
   * One class index per row of `probabilities` [B, C] (u32 [B]), drawn with the row's probabilities
   * (non-negative; they are divided by the row's total, so they need not sum to 1).
   */
  categorical(probabilities: Tensor): Tensor {
    if (probabilities.dtype !== 'f32' || probabilities.shape.length !== 2) {
      throw new Error(`Random.categorical: probabilities ${probabilities.describe()} must be f32 [batch, classes].`);
    }
    const [rows, classes] = probabilities.shape;
    const output = this.engine.empty([rows], 'u32');
    const launch = perElementLaunch(rows, WORKGROUP_SIZE);
    this.engine.dispatch(
      categoricalKernel,
      { COUNT: rows, CLASSES: classes, WORKGROUP_SIZE, ROW_STRIDE: launch.constants.ROW_STRIDE },
      [this.nextBlocks(rows), probabilities, output],
      launch.workgroups,
    );
    return output;
  }

  /** The seed and blocks used so far: enough to resume the same sequence with `restore`. */
  state(): RandomState {
    return { seed: this.seed, blocks: this.blocks };
  }

  /** Continues from a saved state of a stream with the same seed. */
  restore(state: RandomState): void {
    if (state.seed !== this.seed) throw new Error(`Random.restore: the state is for seed ${state.seed}, this stream has seed ${this.seed}.`);
    if (!Number.isSafeInteger(state.blocks) || state.blocks < 0) throw new Error(`Random.restore: block count ${state.blocks} is not valid.`);
    this.blocks = state.blocks;
  }

  private fourPerBlock(op: string, kernel: KernelDefinition, shape: Shape, constants: Record<string, number>): Tensor {
    checkShape(op, shape);
    const output = this.engine.empty(shape);
    const blocks = Math.ceil(output.size / 4);
    const launch = perElementLaunch(blocks, WORKGROUP_SIZE);
    this.engine.dispatch(
      kernel,
      { COUNT: output.size, WORKGROUP_SIZE, ROW_STRIDE: launch.constants.ROW_STRIDE, ...constants },
      [this.nextBlocks(blocks), output],
      launch.workgroups,
    );
    return output;
  }

  /**
   * The uniform block for a draw of `count` blocks. Its fill takes the counter's next `count` blocks each
   * time it runs: now, and before each replay when the draw is part of a captured step.
   */
  private nextBlocks(count: number) {
    return this.engine.uniform(16, () => {
      const first = this.blocks;
      this.blocks += count;
      return new Uint32Array([this.key[0], this.key[1], first % 2 ** 32, Math.floor(first / 2 ** 32)]);
    });
  }
}

/**
 * Raw Philox4x32-10 of arbitrary inputs: `inputs` u32 [n, 6] holds rows (counter0..3, key0, key1); the
 * result u32 [n, 4] holds each row's four output words. For known-answer tests and hashing.
 */
export function philoxBlocks(engine: Engine, inputs: Tensor): Tensor {
  if (inputs.dtype !== 'u32' || inputs.shape.length !== 2 || inputs.shape[1] !== 6) {
    throw new Error(`philoxBlocks: inputs ${inputs.describe()} must be u32 [n, 6] rows of (counter0..3, key0, key1).`);
  }
  const rows = inputs.shape[0];
  const output = engine.empty([rows, 4], 'u32');
  const launch = perElementLaunch(rows, WORKGROUP_SIZE);
  const unused = engine.uniform(16, () => new Uint32Array(4));
  engine.dispatch(philoxBlocksKernel, { COUNT: rows, WORKGROUP_SIZE, ROW_STRIDE: launch.constants.ROW_STRIDE }, [unused, inputs, output], launch.workgroups);
  return output;
}
