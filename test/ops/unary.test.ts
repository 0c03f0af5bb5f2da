import { describe, expect, it } from 'vitest';
import { activationBackward, clamp, exp, leakyRelu, log, relu, sigmoid, softplus, sqrt, square, tanh, type Activation } from '../../src/ops/unary.js';
import { backward } from '../../src/autograd/tape.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { useEngine } from '../helpers/engine.js';
import { checkGradients } from '../helpers/gradient-check.js';
import { expectClose, randomValues, size, thrownMessage } from '../helpers/reference.js';

const gpu = useEngine();

const sigmoid64 = (x: number) => 1 / (1 + Math.exp(-x));
const softplus64 = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

interface UnaryCase {
  op: (x: Tensor) => Tensor;
  f: (x: number) => number;
  /** Input range for random values. */
  range: [number, number];
  /** Extra inputs that stress overflow or cancellation. */
  extremes?: number[];
  tolerance: { absolute: number; relative: number };
}

// Transcendentals get a few ULP (WGSL allows exp and log about 3 ULP, more for tanh); the rest one rounding.
const cases: Record<string, UnaryCase> = {
  exp: { op: exp, f: Math.exp, range: [-5, 5], extremes: [-80, 0, 20], tolerance: { absolute: 1e-30, relative: 4e-6 } },
  log: { op: log, f: Math.log, range: [0.01, 10], extremes: [1e-30, 1, 3e30], tolerance: { absolute: 2e-6, relative: 2e-6 } },
  sqrt: { op: sqrt, f: Math.sqrt, range: [0, 10], extremes: [0, 1e-30, 3e30], tolerance: { absolute: 0, relative: 4e-7 } },
  square: { op: square, f: (x) => x * x, range: [-4, 4], tolerance: { absolute: 0, relative: 1.2e-7 } },
  relu: { op: relu, f: (x) => Math.max(x, 0), range: [-2, 2], extremes: [0], tolerance: { absolute: 0, relative: 0 } },
  leakyRelu: { op: (x) => leakyRelu(x), f: (x) => (x > 0 ? x : 0.2 * x), range: [-2, 2], tolerance: { absolute: 0, relative: 1.2e-7 } },
  leakyReluSlope: { op: (x) => leakyRelu(x, 0.01), f: (x) => (x > 0 ? x : 0.01 * x), range: [-2, 2], tolerance: { absolute: 0, relative: 1.2e-7 } },
  sigmoid: { op: sigmoid, f: sigmoid64, range: [-8, 8], extremes: [-1e4, -100, 0, 100, 1e4], tolerance: { absolute: 1e-7, relative: 4e-6 } },
  tanh: { op: tanh, f: Math.tanh, range: [-4, 4], extremes: [-1e4, -50, -1e-4, 0, 1e-4, 50, 1e4], tolerance: { absolute: 2e-7, relative: 1e-5 } },
  softplus: { op: softplus, f: softplus64, range: [-8, 8], extremes: [-1e4, -30, -20, 0, 20, 30, 1e4], tolerance: { absolute: 1e-30, relative: 4e-6 } },
  clamp: { op: (x) => clamp(x, -0.5, 0.75), f: (x) => Math.min(Math.max(x, -0.5), 0.75), range: [-1, 1], tolerance: { absolute: 0, relative: 0 } },
};

describe('unary ops against float64', () => {
  for (const [name, c] of Object.entries(cases)) {
    it(name, async () => {
      const { engine } = gpu;
      for (const shape of [[1], [7, 33], [100, 784], [1000]]) {
        const x = randomValues(size(shape), 11, ...c.range);
        if (c.extremes && x.length >= c.extremes.length) c.extremes.forEach((value, i) => (x[i] = Math.fround(value)));
        const result = engine.scope(() => c.op(engine.tensor(x, shape)));
        expect(result.shape).toEqual(shape);
        expectClose(await result.read(), x.map(c.f), c.tolerance, `${name} [${shape}]`);
        result.dispose();
      }
    });
  }
});

describe('unary op gradients', () => {
  for (const [name, c] of Object.entries(cases)) {
    it(name, async () => {
      const { engine } = gpu;
      let data = randomValues(15, 12, ...c.range);
      if (name === 'relu' || name.startsWith('leakyRelu') || name === 'clamp') {
        // Keep samples away from kinks, where finite differences straddle two slopes.
        data = data.map((v) => (Math.abs(v) < 0.05 || Math.abs(v + 0.5) < 0.05 || Math.abs(v - 0.75) < 0.05 ? v + 0.13 : v));
      }
      await checkGradients(engine, c.op, [{ data, shape: [3, 5] }], { samples: 8 });
    });
  }

  it('clamp passes no gradient at or beyond its bounds', async () => {
    const { engine } = gpu;
    const grad = engine.scope(() => {
      const x = engine.tensor([-1, -0.5, 0, 0.75, 2], [5]);
      x.requiresGrad = true;
      backward(clamp(x, -0.5, 0.75), engine.tensor([1, 1, 1, 1, 1], [5]));
      return x.grad!;
    });
    expect(Array.from(await grad.read())).toEqual([0, 0, 1, 0, 0]);
    grad.dispose();
  });
});

describe('activationBackward', () => {
  const activations: [Activation, (y: number) => number][] = [
    ['relu', (y) => (y > 0 ? 1 : 0)],
    ['leakyRelu', (y) => (y > 0 ? 1 : 0.2)],
    ['sigmoid', (y) => y * (1 - y)],
    ['tanh', (y) => 1 - y * y],
  ];
  for (const [activation, derivative] of activations) {
    it(`${activation} from the output`, async () => {
      const { engine } = gpu;
      for (const shape of [[7, 33], [100, 784]]) {
        const pre = randomValues(size(shape), 13, -3, 3);
        const gradOut = randomValues(size(shape), 14, -1, 1);
        const y = engine.scope(() => {
          const x = engine.tensor(pre, shape);
          return activation === 'relu' ? relu(x) : activation === 'leakyRelu' ? leakyRelu(x) : activation === 'sigmoid' ? sigmoid(x) : tanh(x);
        });
        const outputs = await y.read();
        const grad = engine.scope(() => activationBackward(activation, y, engine.tensor(gradOut, shape)));
        expectClose(await grad.read(), gradOut.map((g, i) => g * derivative(outputs[i])), { absolute: 1e-7, relative: 1e-6 }, activation);
        y.dispose();
        grad.dispose();
      }
    });
  }

  it("returns gradOutput itself for 'none'", () => {
    const { engine } = gpu;
    engine.scope(() => {
      const y = engine.tensor([1, 2], [2]);
      const g = engine.tensor([3, 4], [2]);
      expect(activationBackward('none', y, g)).toBe(g);
    });
  });

  it('checks shapes and names', () => {
    const { engine } = gpu;
    engine.scope(() => {
      const y = engine.tensor([1, 2], [2]);
      const g = engine.tensor([3, 4, 5], [3]);
      expect(thrownMessage(() => activationBackward('relu', y, g))).toMatch(/activationBackward.*\[2\].*\[3\]/);
      expect(thrownMessage(() => activationBackward('gelu' as Activation, y, y))).toMatch(/unknown activation 'gelu'/);
    });
  });
});

describe('unary op errors', () => {
  it('rejects u32 input, bad slopes and bounds', () => {
    const { engine } = gpu;
    engine.scope(() => {
      const labels = engine.tensor(new Uint32Array([1, 2]), [2]);
      const x = engine.tensor([1, 2], [2]);
      expect(thrownMessage(() => exp(labels))).toMatch(/exp: input \[2\] u32/);
      expect(thrownMessage(() => leakyRelu(x, -0.1))).toMatch(/leakyRelu.*-0.1/);
      expect(thrownMessage(() => clamp(x, 1, 0))).toMatch(/clamp: min 1 is greater than max 0/);
      expect(thrownMessage(() => clamp(x, -Infinity, 0))).toMatch(/clamp: min/);
    });
  });
});
