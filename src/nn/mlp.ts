import type { Engine } from '../device/engine.js';
import type { Activation } from '../ops/matmul.js';
import { deriveSeed } from '../random/seeded.js';
import type { Tensor } from '../tensor/tensor.js';
import type { InitScheme } from './init.js';
import { Linear } from './linear.js';
import { Module } from './module.js';

export interface MlpOptions {
  /** Activation after every hidden layer. Default 'relu'. */
  hidden?: Activation;
  /** Activation after the last layer. Default 'none' (logits). */
  output?: Activation;
  /** Seed of the initial weights; layer i uses a seed derived from it. Default 0. */
  seed?: number;
  /** Default: per layer, 'he' before a ReLU or leaky ReLU, 'xavier' otherwise. */
  init?: InitScheme;
  leakySlope?: number;
}

/** A stack of fused Linear layers: sizes [in, hidden..., out]. Parameters are named `<i>.weight` and `<i>.bias`. */
export class Mlp extends Module {
  readonly layers: Linear[];

  constructor(engine: Engine, readonly sizes: readonly number[], options: MlpOptions = {}) {
    super();
    if (sizes.length < 2) throw new Error(`mlp: sizes [${sizes.join(', ')}] need at least an input and an output size.`);
    const seed = options.seed ?? 0;
    this.layers = sizes.slice(1).map((outFeatures, i) => {
      const last = i === sizes.length - 2;
      const layer = new Linear(engine, sizes[i], outFeatures, {
        activation: last ? (options.output ?? 'none') : (options.hidden ?? 'relu'),
        leakySlope: options.leakySlope,
        init: options.init,
        seed: deriveSeed(seed, i),
      });
      return this.addModule(String(i), layer);
    });
  }

  forward(x: Tensor): Tensor {
    let h = x;
    for (const layer of this.layers) h = layer.forward(h);
    return h;
  }
}

/** `mlp(engine, [784, 1000, 1000, 8], { hidden: 'relu', output: 'none', seed })`. */
export function mlp(engine: Engine, sizes: readonly number[], options: MlpOptions = {}): Mlp {
  return new Mlp(engine, sizes, options);
}
