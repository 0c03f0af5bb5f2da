import * as ops from '../../../src/index.js';
import type { OpSpec, ReferenceInput } from './spec.js';

/** op(A)·op(B) in float64, `a` and `b` as stored (transposed ones hold K×M and N×K). */
function matmulReference(a: ReferenceInput, b: ReferenceInput, transposeA: boolean, transposeB: boolean): Float64Array {
  const [m, k] = transposeA ? [a.shape[1], a.shape[0]] : a.shape;
  const n = transposeB ? b.shape[0] : b.shape[1];
  const at = (i: number, p: number) => (transposeA ? a.values[p * m + i] : a.values[i * k + p]);
  const bt = (p: number, j: number) => (transposeB ? b.values[j * k + p] : b.values[p * n + j]);
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let total = 0;
      for (let p = 0; p < k; p++) total += at(i, p) * bt(p, j);
      c[i * n + j] = total;
    }
  }
  return c;
}

const ACTIVATIONS: Record<string, (x: number) => number> = {
  none: (x) => x,
  relu: (x) => Math.max(x, 0),
  leakyRelu: (x) => (x > 0 ? x : Math.fround(0.2) * x),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
};

// The conformance engine plans as for a CPU adapter, on any adapter: the blocked kernel, four outputs per
// invocation where the shape allows, else one. Every other catalogue variant has its own float64 test
// (test/kernels/matmul-variants.test.ts).
const MATMUL_KERNELS = ['matmul:matmul_quads_store4', 'matmul:matmul_scalar'];

export const LINEAR_ALGEBRA_OPS = {
  matmul: {
    kernels: MATMUL_KERNELS,
    forward: ([a, b], { transposeA = false, transposeB = false }) => ops.matmul(a, b, { transposeA: transposeA as boolean, transposeB: transposeB as boolean }),
    reference: ([a, b], { transposeA = false, transposeB = false }) => matmulReference(a, b, transposeA as boolean, transposeB as boolean),
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
    reference: ([x, weight, bias], { activation }) => {
      const product = matmulReference(x, weight, false, false);
      const outputs = weight.shape[1];
      return product.map((value, i) => ACTIVATIONS[activation as string](value + (bias ? bias.values[i % outputs] : 0)));
    },
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
