import { expect } from 'vitest';
import type { Engine } from '../../src/device/engine.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { backward } from '../../src/autograd/tape.js';
import { randomValues } from './reference.js';

export interface GradientCheckOptions {
  /** Finite-difference step (inputs are f32, so not too small). */
  step?: number;
  /** A floor for the tolerance, for the f32 noise of the finite differences. */
  absolute?: number;
  /** Tolerance per element, as a share of that element's finite difference. */
  relative?: number;
  /** Tolerance as a share of the input's largest finite difference: it scales with the gradient. */
  scaled?: number;
  /** How many elements of each input to perturb (spread over the input); inputs this small or smaller are checked at every element. */
  samples?: number;
  seed?: number;
  /** Inputs (by index) that take no gradient, e.g. integer labels. */
  constantInputs?: number[];
}

/**
 * Compares an op's analytic gradients with central finite differences of L = sum(op(inputs) * R) for a
 * fixed random R. Values are computed on the GPU in f32 and summed on the CPU in float64. The tolerance
 * scales with the gradient (a fixed one would pass an all-zero gradient of a mean over many elements),
 * and inputs of up to `samples` elements are checked at every element. The registry's conformance test
 * (test/ops/conformance.test.ts) checks every op against a float64 reference; this helper serves the
 * special cases beside it (compositions, options, edge values).
 */
export async function checkGradients(
  engine: Engine,
  op: (...inputs: Tensor[]) => Tensor,
  inputValues: { data: ArrayLike<number>; shape: number[] }[],
  options: GradientCheckOptions = {},
): Promise<void> {
  const { step = 1e-2, absolute = 1e-4, relative = 2e-2, scaled = 2e-2, samples = 64, seed = 7, constantInputs = [] } = options;

  const evaluate = async (values: Float32Array[]): Promise<Float64Array> => {
    const result = engine.scope(() => engine.noGrad(() => op(...values.map((v, i) => engine.tensor(v, inputValues[i].shape)))));
    const data = await result.read();
    result.dispose();
    return Float64Array.from(data);
  };

  const base = inputValues.map((input) => Float32Array.from(input.data));
  const outputSize = (await evaluate(base)).length;
  const weights = randomValues(outputSize, seed, -1, 1);
  const loss = (output: Float64Array) => output.reduce((sum, value, i) => sum + value * weights[i], 0);

  const grads = engine.scope(() => {
    const inputs = base.map((v, i) => {
      const tensor = engine.tensor(v, inputValues[i].shape);
      tensor.requiresGrad = !constantInputs.includes(i);
      return tensor;
    });
    const output = op(...inputs);
    backward(output, engine.tensor(Float32Array.from(weights), [...output.shape]));
    return inputs.map((input) => input.grad); // gradients outlive the scope (backward keeps them)
  });
  const analytic = await Promise.all(
    grads.map(async (grad) => {
      if (!grad) return null;
      const values = await grad.read();
      grad.dispose();
      return values;
    }),
  );

  for (let inputIndex = 0; inputIndex < base.length; inputIndex++) {
    if (constantInputs.includes(inputIndex)) continue;
    const gradient = analytic[inputIndex];
    expect(gradient, `input ${inputIndex} got no gradient`).not.toBeNull();
    const size = base[inputIndex].length;
    const count = Math.min(samples, size);
    const elements = Array.from({ length: count }, (_, s) => Math.floor(((s + 0.5) * size) / count));
    const numeric: number[] = [];
    for (const element of elements) {
      const plus = base.map((v) => Float32Array.from(v));
      const minus = base.map((v) => Float32Array.from(v));
      plus[inputIndex][element] += step;
      minus[inputIndex][element] -= step;
      const actualStep = (plus[inputIndex][element] - minus[inputIndex][element]) / 2;
      numeric.push((loss(await evaluate(plus)) - loss(await evaluate(minus))) / (2 * actualStep));
    }
    const largest = Math.max(...numeric.map(Math.abs));
    elements.forEach((element, i) => {
      const got = gradient![element];
      const tolerance = absolute + relative * Math.abs(numeric[i]) + scaled * largest;
      expect(
        Math.abs(got - numeric[i]) <= tolerance,
        `gradient of input ${inputIndex} at element ${element}: analytic ${got}, finite difference ${numeric[i]} (tolerance ${tolerance.toExponential(2)})`,
      ).toBe(true);
    });
  }
}
