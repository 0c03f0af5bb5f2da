import * as ops from '../../../src/index.js';
import { referenceMatmul } from '../../../bench/kernel-lab/matmul-check.js';
import type { OpSpec, ReferenceInput } from './spec.js';

/** The kernel lab's float64 reference (bench/kernel-lab/matmul-check.ts), for stored operands `a` and `b`. */
function reference(a: ReferenceInput, b: ReferenceInput, bias: ReferenceInput | undefined, options: Readonly<Record<string, unknown>>): Float64Array {
  const transposeA = (options.transposeA ?? false) as boolean;
  const transposeB = (options.transposeB ?? false) as boolean;
  const [M, K] = transposeA ? [a.shape[1], a.shape[0]] : a.shape;
  const N = transposeB ? b.shape[0] : b.shape[1];
  const activation = (options.activation ?? 'none') as ops.Activation;
  const problem = { M, N, K, transposeA, transposeB, hasBias: bias !== undefined, activation, leakySlope: Math.fround(0.2) };
  // Float64 operands as they are: the finite differences perturb them below f32 resolution.
  return referenceMatmul(problem, a.values, b.values, bias?.values ?? [0]);
}

// The conformance engine plans as for a CPU adapter, on any adapter: the blocked kernel, four outputs per
// invocation where the shape allows, else one. Every other catalogue variant has its own float64 test
// (test/kernels/matmul-variants.test.ts).
const MATMUL_KERNELS = ['matmul:matmul_quads_store4', 'matmul:matmul_scalar'];

export const LINEAR_ALGEBRA_OPS = {
  matmul: {
    kernels: MATMUL_KERNELS,
    forward: ([a, b], { transposeA = false, transposeB = false }) => ops.matmul(a, b, { transposeA: transposeA as boolean, transposeB: transposeB as boolean }),
    reference: ([a, b], options) => reference(a, b, undefined, options),
    cases: [
      { inputs: [{ shape: [7, 33] }, { shape: [33, 5] }] },
      { inputs: [{ shape: [1, 1] }, { shape: [1, 1] }] },
      { inputs: [{ shape: [7, 1] }, { shape: [1, 33] }] },
      { inputs: [{ shape: [33, 7] }, { shape: [33, 5] }], options: { transposeA: true } },
      { inputs: [{ shape: [7, 33] }, { shape: [5, 33] }], options: { transposeB: true } },
      { inputs: [{ shape: [100, 784] }, { shape: [784, 1000] }] },
      { inputs: [{ shape: [100, 1000] }, { shape: [784, 1000] }], options: { transposeB: true } },
    ],
    tolerance: { relative: 1e-5, scaled: 2e-6 },
  },
  linear: {
    kernels: MATMUL_KERNELS,
    forward: ([x, weight, bias], { activation }) => ops.linear(x, weight, bias ?? null, activation as ops.Activation),
    reference: ([x, weight, bias], options) => reference(x, weight, bias, options),
    cases: [
      ...['none', 'relu', 'leakyRelu', 'sigmoid', 'tanh'].map((activation) => ({
        inputs: [{ shape: [7, 33] }, { shape: [33, 5] }, { shape: [5] }],
        options: { activation },
      })),
      { inputs: [{ shape: [7, 33] }, { shape: [33, 5] }], options: { activation: 'none' } },
      { inputs: [{ shape: [1, 1] }, { shape: [1, 1] }, { shape: [1] }], options: { activation: 'sigmoid' } },
      { inputs: [{ shape: [100, 784] }, { shape: [784, 1000] }, { shape: [1000] }], options: { activation: 'relu' } },
    ],
    tolerance: { relative: 1e-5, scaled: 2e-6 },
  },
} satisfies Record<string, OpSpec>;
