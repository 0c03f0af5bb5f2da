import { expect } from 'vitest';

/** A small seeded generator (mulberry32) so test inputs are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` values uniform in [low, high), as float64 and as the f32 the GPU will see. */
export function randomValues(count: number, seed: number, low = -1, high = 1): Float64Array {
  const random = seededRandom(seed);
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) values[i] = Math.fround(low + (high - low) * random());
  return values;
}

/**
 * Asserts |actual - expected| <= absolute + relative * |expected| for every element, reporting the worst
 * element when it fails.
 */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  { absolute = 1e-5, relative = 1e-5 }: { absolute?: number; relative?: number } = {},
  what = 'values',
): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const tolerance = absolute + relative * Math.abs(expected[i]);
    const error = Math.abs(actual[i] - expected[i]);
    const excess = Number.isNaN(error) ? Infinity : error - tolerance;
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = i;
    }
  }
  if (worst >= 0) {
    expect.fail(
      `${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} ` +
        `(tolerance ${absolute} + ${relative}·|expected|)`,
    );
  }
}
