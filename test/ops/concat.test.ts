import { describe, expect, it } from 'vitest';
import { concat } from '../../src/ops/concat.js';
import { useEngine } from '../helpers/engine.js';
import { checkGradients } from '../helpers/gradient-check.js';
import { expectClose, randomValues, size, thrownMessage } from '../helpers/reference.js';

const gpu = useEngine();

/** Float64 concatenation of row-major arrays along `axis`. */
function concatReference(parts: { data: ArrayLike<number>; shape: number[] }[], axis: number): Float64Array {
  const rank = parts[0].shape.length;
  const at = axis < 0 ? axis + rank : axis;
  const outer = size(parts[0].shape.slice(0, at));
  const result: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const { data, shape } of parts) {
      const inner = size(shape.slice(at));
      for (let i = 0; i < inner; i++) result.push(data[o * inner + i]);
    }
  }
  return Float64Array.from(result);
}

const cases: { shapes: number[][]; axis?: number; expected: number[] }[] = [
  { shapes: [[1], [1]], expected: [2] },
  { shapes: [[7, 33], [7, 1], [7, 100]], expected: [7, 134] },
  { shapes: [[100, 784], [100, 10]], expected: [100, 794] },
  { shapes: [[7, 33], [1, 33]], axis: 0, expected: [8, 33] },
  { shapes: [[2, 3, 4], [2, 5, 4]], axis: 1, expected: [2, 8, 4] },
  { shapes: [[1000]], expected: [1000] },
];

describe('concat against float64', () => {
  it('joins along the last axis and others', async () => {
    const { engine } = gpu;
    for (const { shapes, axis, expected } of cases) {
      const parts = shapes.map((shape, i) => ({ data: randomValues(size(shape), 40 + i), shape }));
      const result = engine.scope(() => concat(parts.map(({ data, shape }) => engine.tensor(data, shape)), axis));
      expect(result.shape).toEqual(expected);
      expectClose(await result.read(), concatReference(parts, axis ?? -1), { absolute: 0, relative: 0 }, `concat ${JSON.stringify(shapes)}`);
      result.dispose();
    }
  });
});

describe('concat gradients', () => {
  it('split back into the parts', async () => {
    const { engine } = gpu;
    const two = (a: number[], b: number[]) => [
      { data: randomValues(size(a), 45), shape: a },
      { data: randomValues(size(b), 46), shape: b },
    ];
    await checkGradients(engine, (a, b) => concat([a, b]), two([3, 5], [3, 2]));
    await checkGradients(engine, (a, b) => concat([a, b], 0), two([3, 5], [2, 5]));
    // One tensor twice: both halves' gradients add up.
    await checkGradients(engine, (a) => concat([a, a]), [{ data: randomValues(15, 47), shape: [3, 5] }]);
  });
});

describe('concat errors', () => {
  it('names the mismatched shapes and the axis', () => {
    const { engine } = gpu;
    engine.scope(() => {
      const a = engine.tensor(new Float32Array(6), [2, 3]);
      const b = engine.tensor(new Float32Array(6), [3, 2]);
      expect(thrownMessage(() => concat([a, b]))).toMatch(/concat: tensor 1 \[3, 2\] does not match tensor 0 \[2, 3\] outside axis 1/);
      expect(thrownMessage(() => concat([a, engine.tensor(new Float32Array(2), [2])]))).toMatch(/concat: tensor 1 \[2\]/);
      expect(thrownMessage(() => concat([]))).toMatch(/concat: give a non-empty array/);
      expect(thrownMessage(() => concat([a], 2))).toMatch(/concat: axis 2 is out of range/);
      expect(thrownMessage(() => concat([a, engine.tensor(new Uint32Array(2), [2, 1])]))).toMatch(/concat: tensor 1 \[2, 1\] u32/);
    });
  });
});
