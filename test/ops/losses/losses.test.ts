import { describe, expect, it } from 'vitest';
import type { Tensor } from '../../../src/tensor/tensor.js';
import { bceWithLogits } from '../../../src/ops/losses/bce-with-logits.js';
import { mse } from '../../../src/ops/losses/mse.js';
import { gaussianKl } from '../../../src/ops/losses/gaussian-kl.js';
import { softmaxCrossEntropy } from '../../../src/ops/losses/softmax-cross-entropy.js';
import type { Reduction } from '../../../src/ops/losses/reduction.js';
import { backward, record } from '../../../src/autograd/tape.js';
import { zeros } from '../../../src/launch/fill.js';
import { seededUniform } from '../../../src/random/seeded.js';
import { useEngine } from '../../helpers/engine.js';
import { checkGradients } from '../../helpers/gradient-check.js';
import { expectClose, randomValues } from '../../helpers/reference.js';

const gpu = useEngine();
const shapes = [[1, 1], [7, 33], [100, 784]];
const reductions: Reduction[] = ['mean', 'sum', 'batchMean'];

// ---- float64 references ------------------------------------------------------------------------

function reduce(values: Float64Array, shape: number[], reduction: Reduction): number {
  const sum = values.reduce((total, v) => total + v, 0);
  if (reduction === 'sum') return sum;
  return sum / (reduction === 'mean' ? values.length : shape[0]);
}

const bceReference = (x: number, t: number) => Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
const klReference = (mu: number, logvar: number) => 0.5 * (mu * mu + Math.exp(logvar) - 1 - logvar);

function crossEntropyReference(logits: Float64Array, rows: number, classes: number, probabilities: (row: number, c: number) => number): Float64Array {
  const losses = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const row = logits.subarray(r * classes, (r + 1) * classes);
    const largest = Math.max(...row);
    const lse = largest + Math.log(row.reduce((total, x) => total + Math.exp(x - largest), 0));
    for (let c = 0; c < classes; c++) losses[r] += probabilities(r, c) * (lse - row[c]);
  }
  return losses;
}

async function value(loss: Tensor): Promise<number> {
  const result = await loss.item();
  loss.dispose();
  return result;
}

function elementwise(a: Float64Array, b: Float64Array, f: (x: number, y: number) => number): Float64Array {
  return a.map((x, i) => f(x, b[i]));
}

/**
 * An elementwise loss of inputs (a, b) from `inputs(size)` against the float64 sum of `reference` over
 * the element pairs, on every shape in `shapes` and every reduction.
 */
async function checkElementwiseLoss(
  what: string,
  loss: (a: Tensor, b: Tensor, reduction: Reduction) => Tensor,
  reference: (a: number, b: number) => number,
  inputs: (size: number) => [Float64Array, Float64Array],
): Promise<void> {
  const { engine } = gpu;
  for (const shape of shapes) {
    const [a, b] = inputs(shape[0] * shape[1]);
    const first = engine.tensor(Float32Array.from(a), shape);
    const second = engine.tensor(Float32Array.from(b), shape);
    for (const reduction of reductions) {
      const expected = reduce(elementwise(a, b, reference), shape, reduction);
      expectClose([await value(loss(first, second, reduction))], [expected], { absolute: 1e-6, relative: 2e-5 }, `${what} ${shape} ${reduction}`);
    }
    first.dispose();
    second.dispose();
  }
}

// ---- values --------------------------------------------------------------------------------------

describe('loss values against float64 references', () => {
  it('bceWithLogits on awkward shapes, every reduction', async () => {
    await checkElementwiseLoss('bce', bceWithLogits, bceReference, (size) => [randomValues(size, 1, -6, 6), randomValues(size, 2, 0, 1)]);
  });

  it('bceWithLogits stays finite and exact for logits of ±80', async () => {
    const { engine } = gpu;
    const x = Float64Array.from([80, -80, 80, -80, 0, 30, -30, 1e-3]);
    const t = Float64Array.from([1, 0, 0, 1, 0.5, 1, 1, 0]);
    const logits = engine.tensor(Float32Array.from(x), [2, 4]);
    const targets = engine.tensor(Float32Array.from(t), [2, 4]);
    const loss = bceWithLogits(logits, targets, 'sum');
    const got = await value(loss);
    expect(Number.isFinite(got)).toBe(true);
    expectClose([got], [reduce(elementwise(x, t, bceReference), [2, 4], 'sum')], { absolute: 1e-5, relative: 1e-6 });

    logits.requiresGrad = true;
    const gradient = engine.scope(() => {
      backward(bceWithLogits(logits, targets, 'sum'));
      return logits.grad!;
    });
    const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
    expectClose(await gradient.read(), x.map((v, i) => sigmoid(v) - t[i]), { absolute: 1e-6, relative: 1e-5 });
    gradient.dispose();
    logits.dispose();
    targets.dispose();
  });

  it('mse on awkward shapes, every reduction', async () => {
    await checkElementwiseLoss('mse', mse, (p, t) => (p - t) ** 2, (size) => [randomValues(size, 3, -2, 2), randomValues(size, 4, 0, 1)]);
  });

  it('gaussianKl on awkward shapes, every reduction, including logvar near 0 and large', async () => {
    const { engine } = gpu;
    await checkElementwiseLoss('kl', gaussianKl, klReference, (size) => [
      randomValues(size, 5, -3, 3),
      randomValues(size, 6, -4, 4).map((v, i) => (i % 3 === 0 ? v * 1e-3 : v)),
    ]);
    // Tiny logvar and mu: the series keeps the answer accurate where exp(l) - 1 - l cancels.
    const mu = engine.tensor([0, 0], [1, 2]);
    const logvar = engine.tensor([1e-4, -2e-3], [1, 2]);
    const expected = klReference(0, Math.fround(1e-4)) + klReference(0, Math.fround(-2e-3));
    expectClose([await value(gaussianKl(mu, logvar, 'sum'))], [expected], { absolute: 0, relative: 1e-4 });
    mu.dispose();
    logvar.dispose();
  });

  it('softmaxCrossEntropy with index labels and with probabilities, on awkward shapes', async () => {
    const { engine } = gpu;
    for (const [rows, classes] of [[1, 1], [7, 33], [100, 784], [100, 10]]) {
      const x = randomValues(rows * classes, 7, -8, 8);
      const random = seededUniform(8);
      const labels = Uint32Array.from({ length: rows }, () => Math.floor(random() * classes));
      const soft = Float64Array.from(randomValues(rows * classes, 9, 0, 1));
      for (let r = 0; r < rows; r++) {
        const row = soft.subarray(r * classes, (r + 1) * classes);
        const total = row.reduce((a, b) => a + b, 0);
        for (let c = 0; c < classes; c++) row[c] = Math.fround(row[c] / total);
      }
      const logits = engine.tensor(Float32Array.from(x), [rows, classes]);
      const indexLabels = engine.tensor(labels, [rows]);
      const softLabels = engine.tensor(Float32Array.from(soft), [rows, classes]);
      const hard = crossEntropyReference(x, rows, classes, (r, c) => (labels[r] === c ? 1 : 0));
      const probabilistic = crossEntropyReference(x, rows, classes, (r, c) => soft[r * classes + c]);
      for (const reduction of reductions) {
        const scale = reduction === 'sum' ? 1 : 1 / rows;
        const tolerance = { absolute: 1e-5, relative: 3e-5 };
        expectClose([await value(softmaxCrossEntropy(logits, indexLabels, reduction))], [hard.reduce((a, b) => a + b) * scale], tolerance, `indices ${rows}x${classes}`);
        expectClose([await value(softmaxCrossEntropy(logits, softLabels, reduction))], [probabilistic.reduce((a, b) => a + b) * scale], tolerance, `soft ${rows}x${classes}`);
      }
      for (const t of [logits, indexLabels, softLabels]) t.dispose();
    }
  });

  it('softmaxCrossEntropy stays finite for logits of ±80 and flags out-of-range labels with NaN', async () => {
    const { engine } = gpu;
    const x = Float64Array.from([80, -80, 0, -80, 80, 80]);
    const logits = engine.tensor(Float32Array.from(x), [2, 3]);
    const labels = engine.tensor(new Uint32Array([1, 2]), [2]);
    const got = await value(softmaxCrossEntropy(logits, labels, 'sum'));
    const expected = crossEntropyReference(x, 2, 3, (r, c) => (c === [1, 2][r] ? 1 : 0)).reduce((a, b) => a + b);
    expectClose([got], [expected], { absolute: 1e-4, relative: 1e-6 });
    const wrong = engine.tensor(new Uint32Array([0, 3]), [2]);
    expect(Number.isNaN(await value(softmaxCrossEntropy(logits, wrong)))).toBe(true);
    for (const t of [logits, labels, wrong]) t.dispose();
  });

  it('full reductions are deterministic: the same bits on every run', async () => {
    const { engine } = gpu;
    const a = engine.tensor(Float32Array.from(randomValues(100 * 784, 10, -5, 5)), [100, 784]);
    const b = engine.tensor(Float32Array.from(randomValues(100 * 784, 11, 0, 1)), [100, 784]);
    const first = [await value(bceWithLogits(a, b)), await value(mse(a, b)), await value(gaussianKl(a, b))];
    for (let run = 0; run < 3; run++) {
      expect([await value(bceWithLogits(a, b)), await value(mse(a, b)), await value(gaussianKl(a, b))]).toEqual(first);
    }
    a.dispose();
    b.dispose();
  });
});

// ---- gradients -----------------------------------------------------------------------------------

describe('loss gradients against finite differences', () => {
  const pair = (shape: number[], seedA: number, lowA: number, highA: number, seedB: number, lowB: number, highB: number) => {
    const size = shape[0] * shape[1];
    return [
      { data: randomValues(size, seedA, lowA, highA), shape },
      { data: randomValues(size, seedB, lowB, highB), shape },
    ];
  };

  it('bceWithLogits (logits and targets)', async () => {
    for (const reduction of reductions) {
      await checkGradients(gpu.engine, (x, t) => bceWithLogits(x, t, reduction), pair([3, 5], 1, -3, 3, 2, 0, 1));
    }
    await checkGradients(gpu.engine, (x, t) => bceWithLogits(x, t), pair([7, 33], 1, -3, 3, 2, 0, 1), { constantInputs: [1] });
  });

  it('the check rejects an all-zero gradient of bceWithLogits, the mean over [7, 33]', async () => {
    const { engine } = gpu;
    const zeroGradient = (x: Tensor, t: Tensor) => {
      const loss = engine.noGrad(() => bceWithLogits(x, t));
      return record('bceWithLogits', [x, t], loss, () => [zeros(engine, x.shape), null]);
    };
    await expect(checkGradients(engine, zeroGradient, pair([7, 33], 1, -3, 3, 2, 0, 1), { constantInputs: [1] })).rejects.toThrow(/gradient of input 0/);
  });

  it('mse (prediction and target)', async () => {
    for (const reduction of reductions) {
      await checkGradients(gpu.engine, (p, t) => mse(p, t, reduction), pair([3, 5], 3, -2, 2, 4, -1, 1));
    }
    await checkGradients(gpu.engine, (p, t) => mse(p, t), pair([7, 33], 3, -2, 2, 4, -1, 1), { constantInputs: [1] });
  });

  it('gaussianKl (mu and logvar)', async () => {
    for (const reduction of reductions) {
      await checkGradients(gpu.engine, (mu, logvar) => gaussianKl(mu, logvar, reduction), pair([3, 5], 5, -2, 2, 6, -2, 2));
    }
  });

  it('softmaxCrossEntropy with index labels (a constant) and with probabilities', async () => {
    const { engine } = gpu;
    const labels = engine.tensor(new Uint32Array([2, 0, 4, 1]), [4]);
    for (const reduction of reductions) {
      await checkGradients(engine, (x) => softmaxCrossEntropy(x, labels, reduction), [{ data: randomValues(20, 12, -3, 3), shape: [4, 5] }]);
    }
    labels.dispose();
    const soft = randomValues(20, 13, 0, 1);
    await checkGradients(engine, (x, p) => softmaxCrossEntropy(x, p), [
      { data: randomValues(20, 12, -3, 3), shape: [4, 5] },
      { data: soft, shape: [4, 5] },
    ]);
    await checkGradients(engine, (x, p) => softmaxCrossEntropy(x, p, 'sum'), [
      { data: randomValues(20, 12, -3, 3), shape: [4, 5] },
      { data: soft, shape: [4, 5] },
    ], { constantInputs: [1] });
  });
});

// ---- errors ----------------------------------------------------------------------------------------

describe('loss input checks', () => {
  it('name the op and both shapes', () => {
    const { engine } = gpu;
    engine.scope(() => {
      const a = engine.empty([4, 3]);
      const b = engine.empty([3, 4]);
      expect(() => bceWithLogits(a, b)).toThrow(/bceWithLogits: logits \[4, 3\] and targets \[3, 4\]/);
      expect(() => mse(a, b)).toThrow(/mse: prediction \[4, 3\] and target \[3, 4\]/);
      expect(() => gaussianKl(a, b)).toThrow(/gaussianKl: mu \[4, 3\] and logvar \[3, 4\]/);
      expect(() => softmaxCrossEntropy(a, engine.empty([3], 'u32'))).toThrow(/softmaxCrossEntropy: labels \[3\] u32 do not fit logits \[4, 3\]/);
      expect(() => softmaxCrossEntropy(a, b)).toThrow(/softmaxCrossEntropy: labels \[3, 4\] f32/);
      expect(() => mse(a, a, 'average' as Reduction)).toThrow(/unknown reduction 'average'/);
    });
  });
});
