import type { Engine } from '../device/engine.js';
import { linear, type Activation } from '../ops/matmul.js';
import type { Tensor } from '../tensor/tensor.js';
import { initWeights, type InitScheme } from './init.js';
import { Module } from './module.js';

export interface LinearOptions {
  /** Default: 'he' before a ReLU or leaky ReLU, 'xavier' otherwise. */
  init?: InitScheme;
  /** Seed of the initial weights. Default 0. */
  seed?: number;
  /** Multiplies the initial weights (a layer whose outputs must start larger than the scheme gives). Default 1. */
  initGain?: number;
  /** Fused into the matmul's epilogue. Default 'none'. */
  activation?: Activation;
  /** Slope for x < 0 under 'leakyRelu'. Default 0.2. */
  leakySlope?: number;
  /** Default true. */
  bias?: boolean;
}

/** activation(x · weight + bias), x [batch, in], weight [in, out], bias [out]: one fused kernel. */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly activation: Activation;
  readonly leakySlope: number;

  constructor(
    readonly engine: Engine,
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    for (const [name, value] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`Linear: ${name} ${value} must be a positive whole number.`);
    }
    this.activation = options.activation ?? 'none';
    this.leakySlope = options.leakySlope ?? 0.2;
    const scheme = options.init ?? (this.activation === 'relu' || this.activation === 'leakyRelu' ? 'he' : 'xavier');
    const gain = options.initGain ?? 1;
    if (!(gain > 0 && Number.isFinite(gain))) throw new Error(`Linear: initGain must be a positive number, got ${String(gain)}.`);
    // Checked before the weights are made on the CPU: a layer no binding can hold would otherwise take
    // gigabytes of memory (or fail with a RangeError) before the engine refused it.
    const limit = engine.limits.maxStorageBufferBindingSize;
    if (4 * inFeatures * outFeatures > limit) {
      const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
      throw new Error(
        `Linear(${inFeatures} -> ${outFeatures}): its [${inFeatures}, ${outFeatures}] weight needs ${mib(4 * inFeatures * outFeatures)} MiB, over this adapter's largest storage binding of ${mib(limit)} MiB; use narrower layers.`,
      );
    }
    const weights = initWeights(scheme, inFeatures, outFeatures, options.seed ?? 0);
    if (gain !== 1) weights.forEach((value, i) => (weights[i] = gain * value));
    this.weight = this.addParameter('weight', parameter(engine, weights, [inFeatures, outFeatures]));
    this.bias = options.bias === false ? null : this.addParameter('bias', parameter(engine, new Float32Array(outFeatures), [outFeatures]));
  }

  forward(x: Tensor): Tensor {
    if (x.shape.length !== 2 || x.shape[1] !== this.inFeatures) {
      throw new Error(`Linear(${this.inFeatures} -> ${this.outFeatures}): input ${x.describe()} must be [batch, ${this.inFeatures}].`);
    }
    return linear(x, this.weight, this.bias, this.activation, this.leakySlope);
  }
}

function parameter(engine: Engine, values: Float32Array, shape: number[]): Tensor {
  const tensor = engine.keep(engine.tensor(values, shape));
  tensor.requiresGrad = true;
  return tensor;
}
