import { expect } from 'vitest';
import { seededUniform } from '../../src/random/seeded.js';

/** Float64 CPU references, seeded test inputs and comparisons shared by the tests. */

/** `count` values uniform in [low, high), as float64 and as the f32 the GPU will see. */
export function randomValues(count: number, seed: number, low = -1, high = 1): Float64Array {
  const random = seededUniform(seed);
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

/** Mean and (population) variance, in float64. */
export function moments(values: ArrayLike<number>): { mean: number; variance: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const mean = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i] - mean) ** 2;
  return { mean, variance: squares / values.length };
}

/** Elements in a tensor of `shape`. */
export function size(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

/** f applied over NumPy-broadcast a and b, in float64; returns the values and the output shape. */
export function broadcastReference(
  a: ArrayLike<number>,
  aShape: readonly number[],
  b: ArrayLike<number>,
  bShape: readonly number[],
  f: (x: number, y: number) => number,
): { values: Float64Array; shape: number[] } {
  const rank = Math.max(aShape.length, bShape.length);
  const pad = (shape: readonly number[]) => [...new Array<number>(rank - shape.length).fill(1), ...shape];
  const pa = pad(aShape);
  const pb = pad(bShape);
  const shape = pa.map((dim, i) => Math.max(dim, pb[i]));
  const values = new Float64Array(size(shape));
  const index = new Array<number>(rank).fill(0);
  const offset = (padded: number[]) => {
    let at = 0;
    for (let i = 0; i < rank; i++) at = at * padded[i] + (padded[i] === 1 ? 0 : index[i]);
    return at;
  };
  for (let flat = 0; flat < values.length; flat++) {
    let rest = flat;
    for (let i = rank - 1; i >= 0; i--) {
      index[i] = rest % shape[i];
      rest = Math.floor(rest / shape[i]);
    }
    values[flat] = f(a[offset(pa)], b[offset(pb)]);
  }
  return { values, shape };
}

/** log-softmax over rows of `columns` values, in float64 (max subtracted first). */
export function logSoftmaxReference(x: ArrayLike<number>, columns: number): Float64Array {
  const result = new Float64Array(x.length);
  for (let start = 0; start < x.length; start += columns) {
    let rowMax = -Infinity;
    for (let c = 0; c < columns; c++) rowMax = Math.max(rowMax, x[start + c]);
    let total = 0;
    for (let c = 0; c < columns; c++) total += Math.exp(x[start + c] - rowMax);
    for (let c = 0; c < columns; c++) result[start + c] = x[start + c] - rowMax - Math.log(total);
  }
  return result;
}

/** Reduces `values` of `shape` over `axis` (all axes when undefined) with `combine`, starting from each first element. */
export function reduceReference(
  values: ArrayLike<number>,
  shape: readonly number[],
  axis: number | undefined,
  combine: (accumulator: number, value: number) => number,
): Float64Array {
  if (axis === undefined) {
    let accumulator = values[0];
    for (let i = 1; i < values.length; i++) accumulator = combine(accumulator, values[i]);
    return Float64Array.of(accumulator);
  }
  const at = axis < 0 ? axis + shape.length : axis;
  const outer = size(shape.slice(0, at));
  const length = shape[at];
  const inner = size(shape.slice(at + 1));
  const result = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let accumulator = values[o * length * inner + i];
      for (let k = 1; k < length; k++) accumulator = combine(accumulator, values[(o * length + k) * inner + i]);
      result[o * inner + i] = accumulator;
    }
  }
  return result;
}

/** Error message of `fn`, or fails when it does not throw. */
export function thrownMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error, but none was thrown');
}
