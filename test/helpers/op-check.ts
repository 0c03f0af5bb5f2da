import { expect } from 'vitest';
import { backward } from '../../src/autograd/tape.js';
import type { Engine } from '../../src/device/engine.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { seededUniform } from '../../src/random/seeded.js';
import type { InputSpec, OpCase, OpSpec, ReferenceInput } from '../ops/registry/index.js';
import { size as sizeOf } from './reference.js';

// How the conformance test checks one case of an op from the registry (test/ops/registry/): the forward
// against the float64 reference at every element, the name recorded on the tape, and the gradient of
// every float input against central finite differences of the reference, at every element.

/** Cases whose float inputs have at most this many elements get a gradient check at every element. */
export const GRADIENT_CHECK_ELEMENTS = 400;

/** Finite-difference step in float64: truncation (h²) and rounding (ε/h) errors both stay near 1e-10. */
const STEP = 1e-5;

/** Gradient tolerance: per element, plus a share of the largest gradient (f32 sums lose bits to the biggest terms). */
const GRADIENT_TOLERANCE = { relative: 2e-4, scaled: 2e-4 };

export function drawInput(spec: InputSpec, seed: number): ReferenceInput {
  const random = seededUniform(seed);
  const count = sizeOf(spec.shape);
  const values = new Float64Array(count);
  const draw = spec.draw ?? 'signed';
  for (let i = 0; i < count; i++) {
    const u = random();
    if (typeof draw === 'object') values[i] = Math.floor(u * draw.indices);
    else if (draw === 'signed') values[i] = Math.fround(2 * u - 1);
    else if (draw === 'positive') values[i] = Math.fround(0.5 + 1.5 * u);
    else if (draw === 'probability') values[i] = Math.fround(0.05 + 0.9 * u);
    else values[i] = Math.fround((random() < 0.5 ? -1 : 1) * (0.2 + 0.8 * u));
  }
  return { values, shape: spec.shape };
}

export const isIndices = (spec: InputSpec) => typeof spec.draw === 'object';
export const takesGradient = (spec: InputSpec) => !isIndices(spec) && !spec.constant;

function upload(engine: Engine, spec: InputSpec, input: ReferenceInput): Tensor {
  return isIndices(spec) ? engine.tensor(Uint32Array.from(input.values), [...spec.shape], 'u32') : engine.tensor(Float32Array.from(input.values), [...spec.shape]);
}

/** Runs the forward with every dispatch's kernel name noted. */
function forwardNotingKernels(engine: Engine, run: () => Tensor, kernels: Set<string>): Tensor {
  const dispatch = engine.dispatch;
  const dispatchTuned = engine.dispatchTuned;
  engine.dispatch = (kernel, ...rest) => {
    kernels.add(kernel.name);
    return dispatch.call(engine, kernel, ...rest);
  };
  engine.dispatchTuned = (tunable, bindings) => {
    kernels.add(tunable.fallback.kernel.name);
    return dispatchTuned.call(engine, tunable, bindings);
  };
  try {
    return run();
  } finally {
    engine.dispatch = dispatch;
    engine.dispatchTuned = dispatchTuned;
  }
}

export function describeCase(testCase: OpCase): string {
  const shapes = testCase.inputs.map((input) => `[${input.shape.join(',')}]${isIndices(input) ? 'u32' : ''}`).join(' ');
  return testCase.options ? `${shapes} ${JSON.stringify(testCase.options)}` : shapes;
}

export function expectWithin(actual: ArrayLike<number>, expected: ArrayLike<number>, relative: number, scaled: number, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let largest = 0;
  for (let i = 0; i < expected.length; i++) largest = Math.max(largest, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) {
    const tolerance = relative * Math.abs(expected[i]) + scaled * largest + 1e-30;
    if (!(Math.abs(actual[i] - expected[i]) <= tolerance)) {
      expect.fail(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]} (tolerance ${tolerance.toExponential(2)}; largest |expected| ${largest.toExponential(2)})`);
    }
  }
}

/** ∂/∂input of Σ weights · reference(inputs), every element, by central differences in float64. */
export function numericGradient(spec: OpSpec, inputs: ReferenceInput[], options: Readonly<Record<string, unknown>>, which: number, weights: Float64Array): Float64Array {
  const loss = (values: ReferenceInput[]) => spec.reference(values, options).reduce((sum, value, i) => sum + value * weights[i], 0);
  const gradient = new Float64Array(inputs[which].values.length);
  for (let element = 0; element < gradient.length; element++) {
    const perturbed = (delta: number) => inputs.map((input, i) => {
      if (i !== which) return input;
      const values = Float64Array.from(input.values);
      values[element] += delta;
      return { values, shape: input.shape };
    });
    gradient[element] = (loss(perturbed(STEP)) - loss(perturbed(-STEP))) / (2 * STEP);
  }
  return gradient;
}

/** Whether a case is small enough for a gradient check at every element of its float inputs. */
export function checksGradient(testCase: OpCase): boolean {
  return testCase.inputs.filter(takesGradient).every((input) => sizeOf(input.shape) <= GRADIENT_CHECK_ELEMENTS);
}

/** Checks one case of the op `name`; the names of the kernels its forward dispatches go to `kernelsSeen`. */
export async function checkCase(engine: Engine, name: string, spec: OpSpec, testCase: OpCase, caseIndex: number, kernelsSeen = new Set<string>()): Promise<void> {
  const options = testCase.options ?? {};
  const inputs = testCase.inputs.map((input, i) => drawInput(input, 1000 * caseIndex + 17 * i + name.length));
  const expected = spec.reference(inputs, options);
  const gradientCheck = checksGradient(testCase);
  const weights = Float64Array.from(drawInput({ shape: [expected.length] }, 99 + caseIndex).values);

  const { output, gradients } = await engine.scope(() => {
    const tensors = testCase.inputs.map((input, i) => upload(engine, input, inputs[i]));
    tensors.forEach((tensor, i) => (tensor.requiresGrad = gradientCheck && takesGradient(testCase.inputs[i])));
    const result = forwardNotingKernels(engine, () => spec.forward(tensors, options), kernelsSeen);
    if (gradientCheck) {
      expect(result.node?.op, 'the name the forward records on the tape').toBe(name);
      backward(result, engine.tensor(Float32Array.from(weights), [...result.shape]));
    }
    return { output: result, gradients: tensors.map((tensor) => tensor.grad) };
  });
  expectWithin(await output.read(), expected, spec.tolerance?.relative ?? 1e-5, spec.tolerance?.scaled ?? 1e-6, `${name} forward`);

  if (!gradientCheck) return;
  for (let i = 0; i < inputs.length; i++) {
    if (!takesGradient(testCase.inputs[i])) continue;
    const gradient = gradients[i];
    expect(gradient, `${name}: input ${i} got no gradient`).toBeTruthy();
    const numeric = numericGradient(spec, inputs, options, i, weights);
    expectWithin(await gradient!.read(), numeric, GRADIENT_TOLERANCE.relative, GRADIENT_TOLERANCE.scaled, `${name} gradient of input ${i}`);
    gradient!.dispose();
  }
}
