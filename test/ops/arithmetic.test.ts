import { describe, expect, it } from 'vitest';
import { add, addScalar, div, mul, mulScalar, neg, sub } from '../../src/ops/arithmetic.js';
import { broadcastTo } from '../../src/ops/broadcast.js';
import { useEngine } from '../helpers/engine.js';
import { checkGradients } from '../helpers/gradient-check.js';
import { broadcastReference, expectClose, randomValues, size, thrownMessage } from '../helpers/reference.js';

const gpu = useEngine();

const binaryOps = {
  add: { op: add, f: (x: number, y: number) => x + y },
  sub: { op: sub, f: (x: number, y: number) => x - y },
  mul: { op: mul, f: (x: number, y: number) => x * y },
  div: { op: div, f: (x: number, y: number) => x / y },
};

// Same shapes (vec4 and scalar paths), row and column broadcasts, both-sided broadcasts, rank 3 and 4.
const shapePairs: [number[], number[]][] = [
  [[1], [1]],
  [[7, 33], [7, 33]],
  [[1000], [1000]],
  [[100, 784], [100, 784]],
  [[100, 784], [784]],
  [[784], [100, 784]],
  [[7, 1], [1, 33]],
  [[7, 33], [7, 1]],
  [[100, 784], [100, 1]],
  [[7, 33], [1]],
  [[1], [100, 784]],
  [[1, 33], [33]],
  [[3, 1, 5], [4, 1]],
  [[2, 3, 4, 5], [3, 1, 5]],
  [[2, 1, 4, 1], [1, 3, 1, 6]],
];

describe('binary ops against float64', () => {
  for (const [name, { op, f }] of Object.entries(binaryOps)) {
    it(`${name} on awkward and broadcast shapes`, async () => {
      const { engine } = gpu;
      for (const [aShape, bShape] of shapePairs) {
        const a = randomValues(size(aShape), 1, -2, 2);
        // Divisors kept away from 0 so the relative tolerance means something.
        const b = name === 'div' ? randomValues(size(bShape), 2, 0.5, 2) : randomValues(size(bShape), 2, -2, 2);
        const expected = broadcastReference(a, aShape, b, bShape, f);
        const result = engine.scope(() => op(engine.tensor(a, aShape), engine.tensor(b, bShape)));
        expect(result.shape, `${name} ${aShape} ${bShape}`).toEqual(expected.shape);
        // One f32 rounding of an exact float64 result.
        expectClose(await result.read(), expected.values, { absolute: 1e-7, relative: 1.2e-7 }, `${name} [${aShape}] [${bShape}]`);
        result.dispose();
      }
    });
  }

  it('neg, addScalar, mulScalar', async () => {
    const { engine } = gpu;
    for (const shape of [[1], [7, 33], [1000]]) {
      const x = randomValues(size(shape), 3, -3, 3);
      const [negated, shifted, scaled] = engine.scope(() => {
        const t = engine.tensor(x, shape);
        return [neg(t), addScalar(t, 0.75), mulScalar(t, -1.5)];
      });
      expectClose(await negated.read(), x.map((v) => -v), { absolute: 0, relative: 0 }, 'neg');
      expectClose(await shifted.read(), x.map((v) => v + 0.75), { absolute: 1e-7, relative: 1.2e-7 }, 'addScalar');
      expectClose(await scaled.read(), x.map((v) => v * -1.5), { absolute: 1e-7, relative: 1.2e-7 }, 'mulScalar');
      for (const t of [negated, shifted, scaled]) t.dispose();
    }
  });

  it('broadcastTo repeats along broadcast axes', async () => {
    const { engine } = gpu;
    const x = randomValues(33, 4);
    const result = engine.scope(() => broadcastTo(engine.tensor(x, [1, 33]), [7, 33]));
    expect(result.shape).toEqual([7, 33]);
    expectClose(await result.read(), broadcastReference(x, [1, 33], new Float64Array(231), [7, 33], (v) => v).values, { absolute: 0, relative: 0 });
    result.dispose();
  });
});

describe('binary op gradients', () => {
  const gradientShapes: [number[], number[]][] = [
    [[3, 5], [3, 5]],
    [[3, 5], [5]],
    [[3, 1], [1, 5]],
  ];
  for (const [name, { op }] of Object.entries(binaryOps)) {
    it(`${name}`, async () => {
      const { engine } = gpu;
      for (const [aShape, bShape] of gradientShapes) {
        const a = randomValues(size(aShape), 5, -2, 2);
        const b = name === 'div' ? randomValues(size(bShape), 6, 0.5, 2) : randomValues(size(bShape), 6, -2, 2);
        await checkGradients(engine, op, [
          { data: a, shape: aShape },
          { data: b, shape: bShape },
        ]);
      }
    });
  }

  it('neg, addScalar, mulScalar, broadcastTo', async () => {
    const { engine } = gpu;
    const input = [{ data: randomValues(15, 8), shape: [3, 5] }];
    await checkGradients(engine, neg, input);
    await checkGradients(engine, (x) => addScalar(x, 2), input);
    await checkGradients(engine, (x) => mulScalar(x, -3), input);
    await checkGradients(engine, (x) => broadcastTo(x, [4, 3, 5]), [{ data: randomValues(5, 9), shape: [1, 5] }]);
  });

  it('the same tensor on both sides of a product', async () => {
    const { engine } = gpu;
    await checkGradients(engine, (x) => mul(x, x), [{ data: randomValues(15, 10), shape: [3, 5] }]);
  });
});

describe('binary op errors', () => {
  it('names the op and both shapes on a mismatch', () => {
    const { engine } = gpu;
    engine.scope(() => {
      const message = thrownMessage(() => add(engine.tensor(new Float32Array(6), [2, 3]), engine.tensor(new Float32Array(4), [4])));
      expect(message).toContain('add');
      expect(message).toContain('[2, 3]');
      expect(message).toContain('[4]');
      expect(thrownMessage(() => mul(engine.tensor(new Float32Array(6), [2, 3]), engine.tensor(new Float32Array(2), [2])))).toMatch(/mul.*\[2, 3\].*\[2\]/);
    });
  });

  it('rejects u32 tensors by name', () => {
    const { engine } = gpu;
    engine.scope(() => {
      const labels = engine.tensor(new Uint32Array([1, 2, 3]), [3]);
      const values = engine.tensor([1, 2, 3], [3]);
      expect(thrownMessage(() => sub(values, labels))).toMatch(/sub: b \[3\] u32/);
      expect(thrownMessage(() => neg(labels))).toMatch(/neg: .*u32/);
    });
  });

  it('rejects non-finite scalars', () => {
    const { engine } = gpu;
    engine.scope(() => {
      const values = engine.tensor([1, 2, 3], [3]);
      expect(thrownMessage(() => addScalar(values, Number.NaN))).toMatch(/addScalar/);
      expect(thrownMessage(() => mulScalar(values, Infinity))).toMatch(/mulScalar/);
    });
  });
});
