import { seededUniform } from '../random/seeded.js';

/**
 * Seeded weight initialisation on the CPU: the same seed gives the same weights on every machine.
 * He (Kaiming) uniform keeps the variance of ReLU layers' activations steady: Var = 2 / fanIn.
 * Xavier (Glorot) uniform balances forward and backward variance for linear, tanh and sigmoid layers:
 * Var = 2 / (fanIn + fanOut). A uniform on [-b, b] has variance b² / 3, which sets the bound b.
 */
export type InitScheme = 'he' | 'xavier';

export function initBound(scheme: InitScheme, fanIn: number, fanOut: number): number {
  const variance = scheme === 'he' ? 2 / fanIn : 2 / (fanIn + fanOut);
  return Math.sqrt(3 * variance);
}

/** fanIn × fanOut weights, row-major [fanIn, fanOut], uniform on [-b, b] for the scheme's bound b. */
export function initWeights(scheme: InitScheme, fanIn: number, fanOut: number, seed: number): Float32Array {
  if (scheme !== 'he' && scheme !== 'xavier') throw new Error(`init: unknown scheme '${String(scheme)}'; use 'he' or 'xavier'.`);
  const bound = initBound(scheme, fanIn, fanOut);
  const next = seededUniform(seed);
  const weights = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < weights.length; i++) weights[i] = bound * (2 * next() - 1);
  return weights;
}
