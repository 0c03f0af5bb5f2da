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

/** A seed for part `index` of something seeded with `seed` (layer i of an MLP), well apart from the others. */
export function deriveSeed(seed: number, index: number): number {
  return mix32((seed >>> 0) ^ mix32(index + 0x9e3779b9));
}

/**
 * Uniform numbers in [0, 1) from a seed: a 32-bit counter run through an integer hash (Wellons'
 * "lowbias32" finaliser), two hashes per number for 53 bits.
 */
export function seededUniform(seed: number): () => number {
  if (!Number.isFinite(seed)) throw new Error(`init: seed ${seed} must be a finite number.`);
  const base = mix32(Math.floor(seed) >>> 0);
  let counter = 0;
  return () => {
    const high = mix32((base + 2 * counter) >>> 0) >>> 5;
    const low = mix32((base + 2 * counter + 1) >>> 0) >>> 6;
    counter++;
    return (high * 67108864 + low) / 9007199254740992;
  };
}

function mix32(value: number): number {
  let x = value >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}
