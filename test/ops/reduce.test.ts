import { describe, expect, it } from 'vitest';
import { backward } from '../../src/autograd/tape.js';
import { max, mean, sum, sumToShape } from '../../src/ops/reduce.js';
import { useEngine } from '../helpers/engine.js';
import { checkGradients } from '../helpers/gradient-check.js';
import { broadcastReference, expectClose, randomValues, reduceReference, size, thrownMessage } from '../helpers/reference.js';

const gpu = useEngine();

// Full reductions, short axes (one invocation per output), long rows (one workgroup tree per row) and
// few very long rows (split into segments of 65536, two passes: rows over 131072 elements).
const reductions: { shape: number[]; axis?: number }[] = [
  { shape: [1] },
  { shape: [7, 33] },
  { shape: [1000] },
  { shape: [100, 784] },
  { shape: [100003] },
  { shape: [300007] },
  { shape: [1], axis: 0 },
  { shape: [7, 33], axis: 0 },
  { shape: [7, 33], axis: -1 },
  { shape: [100, 784], axis: 0 },
  { shape: [100, 784], axis: 1 },
  { shape: [1000], axis: 0 },
  { shape: [3, 4, 5], axis: 1 },
  { shape: [2, 20001], axis: 1 },
  { shape: [2, 300001], axis: 1 },
  { shape: [30000, 3], axis: 0 },
];

function outputShape(shape: number[], axis: number | undefined, keepDims: boolean): number[] {
  if (axis === undefined) return [1];
  const at = axis < 0 ? axis + shape.length : axis;
  if (keepDims) return shape.map((dim, i) => (i === at ? 1 : dim));
  const dropped = shape.filter((_, i) => i !== at);
  return dropped.length > 0 ? dropped : [1];
}

describe('reductions against float64', () => {
  it('sum, mean and max on awkward shapes and axes', async () => {
    const { engine } = gpu;
    for (const { shape, axis } of reductions) {
      const x = randomValues(size(shape), 21, -1, 1);
      const length = axis === undefined ? x.length : shape[axis < 0 ? axis + shape.length : axis];
      const sums = reduceReference(x, shape, axis, (a, v) => a + v);
      const maxima = reduceReference(x, shape, axis, (a, v) => Math.max(a, v));
      for (const keepDims of [false, true]) {
        const [s, m, top] = engine.scope(() => {
          const t = engine.tensor(x, shape);
          return [sum(t, axis, keepDims), mean(t, axis, keepDims), max(t, axis, keepDims)];
        });
        const what = `[${shape}] axis ${axis} keepDims ${keepDims}`;
        const expectedShape = outputShape(shape, axis, keepDims);
        for (const t of [s, m, top]) expect(t.shape, what).toEqual(expectedShape);
        // f32 accumulation of values in [-1, 1]: error grows at most linearly with the length.
        const absolute = 1e-7 * length + 1e-7;
        expectClose(await s.read(), sums, { absolute, relative: 1e-6 }, `sum ${what}`);
        expectClose(await m.read(), sums.map((v) => v / length), { absolute: absolute / length, relative: 1e-6 }, `mean ${what}`);
        expectClose(await top.read(), maxima, { absolute: 0, relative: 0 }, `max ${what}`);
        for (const t of [s, m, top]) t.dispose();
      }
    }
  });

  it('more rows than one grid dimension holds (workgroups spill into y)', async () => {
    const { engine } = gpu;
    const shape = [66000, 65];
    const x = randomValues(size(shape), 27, -1, 1);
    const [s, top] = engine.scope(() => {
      const t = engine.tensor(x, shape);
      return [sum(t, -1), max(t, 1)];
    });
    expectClose(await s.read(), reduceReference(x, shape, 1, (a, v) => a + v), { absolute: 1e-5, relative: 1e-6 }, 'sum');
    expectClose(await top.read(), reduceReference(x, shape, 1, Math.max), { absolute: 0, relative: 0 }, 'max');
    s.dispose();
    top.dispose();
  });

  it('full sums repeat exactly', async () => {
    const { engine } = gpu;
    const x = randomValues(300007, 22, -1, 1);
    const first = engine.scope(() => sum(engine.tensor(x, [300007])));
    const second = engine.scope(() => sum(engine.tensor(x, [300007])));
    expect((await first.read())[0]).toBe((await second.read())[0]);
    first.dispose();
    second.dispose();
  });

  it('sumToShape reduces broadcast axes', async () => {
    const { engine } = gpu;
    const cases: [number[], number[]][] = [
      [[100, 784], [784]],
      [[100, 784], [100, 1]],
      [[7, 33], [1, 33]],
      [[7, 33], [7, 1]],
      [[7, 33], [1]],
      [[1, 33], [33]],
      [[2, 3, 4, 5], [3, 1, 5]],
      [[2, 3, 4, 5], [2, 1, 4, 1]],
    ];
    for (const [from, to] of cases) {
      const x = randomValues(size(from), 23, -1, 1);
      // Reference: accumulate each element into its broadcast source.
      const expected = new Float64Array(size(to));
      const positions = broadcastReference(new Float64Array(size(to)).map((_, i) => i), to, new Float64Array(size(from)), from, (i) => i);
      positions.values.forEach((target, i) => (expected[target] += x[i]));
      const result = engine.scope(() => sumToShape(engine.tensor(x, from), to));
      expect(result.shape).toEqual(to);
      expectClose(await result.read(), expected, { absolute: 2e-5, relative: 1e-6 }, `sumToShape [${from}] -> [${to}]`);
      result.dispose();
    }
  });
});

describe('reduction gradients', () => {
  const data = randomValues(60, 24, -1, 1);
  for (const [name, op] of Object.entries({ sum, mean, max })) {
    it(name, async () => {
      const { engine } = gpu;
      await checkGradients(engine, (x) => op(x), [{ data: data.slice(0, 15), shape: [3, 5] }]);
      await checkGradients(engine, (x) => op(x, 0), [{ data: data.slice(0, 15), shape: [3, 5] }]);
      await checkGradients(engine, (x) => op(x, -1, true), [{ data: data.slice(0, 15), shape: [3, 5] }]);
      await checkGradients(engine, (x) => op(x, 1), [{ data, shape: [3, 4, 5] }], { samples: 8 });
    });
  }

  it('sumToShape', async () => {
    const { engine } = gpu;
    await checkGradients(engine, (x) => sumToShape(x, [5]), [{ data: randomValues(15, 25), shape: [3, 5] }]);
    await checkGradients(engine, (x) => sumToShape(x, [3, 1, 5]), [{ data: randomValues(120, 26), shape: [2, 3, 4, 5] }]);
  });

  it('max sends the gradient to the first maximum on ties', async () => {
    const { engine } = gpu;
    const gradOf = async (values: number[], shape: number[], axis?: number) => {
      const grad = engine.scope(() => {
        const x = engine.tensor(values, shape);
        x.requiresGrad = true;
        backward(sum(max(x, axis)));
        return x.grad!;
      });
      const result = Array.from(await grad.read());
      grad.dispose();
      return result;
    };
    expect(await gradOf([1, 3, 3, 2, 3], [5])).toEqual([0, 1, 0, 0, 0]);
    expect(await gradOf([5, 1, 5, 2, 2, 0], [2, 3], 1)).toEqual([1, 0, 0, 1, 0, 0]);
    expect(await gradOf([5, 1, 5, 5, 2, 0], [2, 3], 0)).toEqual([1, 0, 1, 0, 1, 0]);
    // Long enough for two passes over segments: ties across segments still pick the first.
    const flat = new Array<number>(300001).fill(1);
    flat[100000] = 2;
    flat[250000] = 2;
    const grad = await gradOf(flat, [300001]);
    expect(grad[100000]).toBe(1);
    expect(grad.reduce((a, v) => a + v, 0)).toBe(1);
  });
});

describe('reduction errors', () => {
  it('names the op, the axis and the shapes', () => {
    const { engine } = gpu;
    engine.scope(() => {
      const x = engine.tensor(new Float32Array(6), [2, 3]);
      expect(thrownMessage(() => sum(x, 2))).toMatch(/sum: axis 2 is out of range for a tensor of rank 2/);
      expect(thrownMessage(() => max(x, -3))).toMatch(/max: axis -3/);
      expect(thrownMessage(() => mean(x, 0.5))).toMatch(/mean: axis 0.5/);
      expect(thrownMessage(() => sumToShape(x, [2]))).toMatch(/sumToShape.*\[2\].*\[2, 3\]/);
      expect(thrownMessage(() => sum(engine.tensor(new Uint32Array([1]), [1])))).toMatch(/sum: input \[1\] u32/);
    });
  });
});
