/**
 * Seeded random numbers on the CPU, for what must come out the same on every machine from a seed:
 * initial weights, toy data sets, test inputs. (The GPU's own stream is Philox, in ./philox.ts.)
 */

/**
 * Uniform numbers in [0, 1) from a seed: a 32-bit counter run through an integer hash (Wellons'
 * "lowbias32" finaliser), two hashes per number for 53 bits.
 */
export function seededUniform(seed: number): () => number {
  if (!Number.isFinite(seed)) throw new Error(`seededUniform: seed ${seed} must be a finite number.`);
  const base = mix32(Math.floor(seed) >>> 0);
  let counter = 0;
  return () => {
    const high = mix32((base + 2 * counter) >>> 0) >>> 5;
    const low = mix32((base + 2 * counter + 1) >>> 0) >>> 6;
    counter++;
    return (high * 67108864 + low) / 9007199254740992;
  };
}

/** A seed for part `index` of something seeded with `seed` (layer i of an MLP), well apart from the others. */
export function deriveSeed(seed: number, index: number): number {
  return mix32((seed >>> 0) ^ mix32(index + 0x9e3779b9));
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
