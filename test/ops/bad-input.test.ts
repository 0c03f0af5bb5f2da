import { describe, expect, it } from 'vitest';
import { add, mul } from '../../src/ops/arithmetic.js';
import { linear, matmul } from '../../src/ops/matmul.js';
import { log, sqrt, relu } from '../../src/ops/unary.js';
import { softmaxCrossEntropy } from '../../src/ops/losses/softmax-cross-entropy.js';
import { backward } from '../../src/autograd/tape.js';
import { useEngine } from '../helpers/engine.js';

const gpu = useEngine();

describe('bad input gets a clear error', () => {
  it('shape mismatches name the op and both shapes', () => {
    const { engine } = gpu;
    engine.scope(() => {
      const a = engine.empty([100, 784]);
      const b = engine.empty([100, 10]);
      expect(() => add(a, b)).toThrow(/add: shapes \[100, 784\] and \[100, 10\] do not broadcast/);
      expect(() => mul(a, engine.empty([783]))).toThrow(/mul: .*\[100, 784\].*\[783\]/);
      expect(() => matmul(a, b)).toThrow(/matmul: inner dimensions differ: \[100, 784\] · \[100, 10\]/);
      expect(() => linear(a, engine.empty([784, 10]), engine.empty([7]))).toThrow(/linear: bias \[7\] must be \[10\]/);
    });
  });

  it('wrong dtypes are named', () => {
    const { engine } = gpu;
    engine.scope(() => {
      const labels = engine.tensor(new Uint32Array([1, 2]), [2]);
      expect(() => relu(labels)).toThrow(/relu.*u32/);
      expect(() => matmul(engine.empty([2, 2], 'u32'), engine.empty([2, 2]))).toThrow(/matmul: expects f32 tensors, got u32 and f32/);
      expect(() => softmaxCrossEntropy(engine.empty([2, 3]), engine.empty([3], 'u32'))).toThrow(/softmaxCrossEntropy/);
    });
  });

  it('log and sqrt of negative numbers are reported at the next read, naming the op', async () => {
    const { engine } = gpu;
    const x = engine.tensor([0.5, -1, 2], [3]);
    x.name = 'probabilities';
    const y = log(x);
    await expect(y.read()).rejects.toThrow(/log: input 'probabilities' \[3\] f32 had 1 negative or NaN values, which give NaN\. Clamp/);
    const z = sqrt(engine.tensor([Number.NaN, 4], [2]));
    await expect(engine.sync()).rejects.toThrow(/sqrt: input \[2\] f32 had 1 negative or NaN values/);
    const fine = log(engine.tensor([1, 2], [2]));
    expect(Array.from(await fine.read()).map((v) => Number(v.toFixed(4)))).toEqual([0, 0.6931]);
    for (const t of [x, y, z, fine]) t.dispose();
  });

  it('using a disposed tensor in an op, or backward on a constant, says what went wrong', () => {
    const { engine } = gpu;
    const w = engine.tensor([1, 2, 3, 4], [2, 2]);
    w.dispose();
    expect(() => relu(w)).toThrow(/used after dispose\(\)/);
    const constant = engine.tensor([1], [1]);
    expect(() => backward(constant)).toThrow(/does not depend on any tensor that requires a gradient/);
    const wide = engine.tensor([1, 2], [2]);
    wide.requiresGrad = true;
    expect(() => backward(relu(wide))).toThrow(/has 2 elements; pass gradOutput, or reduce it/);
    constant.dispose();
    wide.dispose();
  });
});
