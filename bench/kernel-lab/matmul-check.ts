// Correctness of matmul kernels against a float64 CPU reference, shared by the kernel lab and the test
// suite (test/kernels/matmul-variants.test.ts): awkward shapes, every pair of transposes, every epilogue.
import type { Engine } from '../../src/device/engine.js';
import type { KernelLaunch } from '../../src/kernels/kernel.js';
import type { Activation, MatmulProblem } from '../../src/kernels/matmul-plan.js';
import { seededUniform } from '../../src/random/seeded.js';

const ACTIVATIONS: readonly Activation[] = ['none', 'relu', 'leakyRelu', 'sigmoid', 'tanh'];

/**
 * Shapes [M, N, K] from the awkward sizes 1, 7, 33, 100, 784, 1000. The first four take every kernel's
 * vec4 paths (K, N and M multiples of 4) at model sizes; the last four its scalar paths and ragged edges.
 */
const VEC4_SHAPES: readonly (readonly [number, number, number])[] = [
  [100, 8, 1000],
  [100, 40, 784],
  [36, 1000, 100],
  [100, 12, 784],
];
const RAGGED_SHAPES: readonly (readonly [number, number, number])[] = [
  [1, 7, 33],
  [7, 33, 1],
  [33, 1, 7],
  [100, 1, 784],
];

/**
 * Each of the four layouts (transposes) with one vec4 shape and one ragged one; the epilogue moves on
 * with every case, so that the eight cases meet every activation, with and without bias. Each case is a
 * pipeline of its own, and a CPU adapter compiles a tiled kernel in up to 2 s: eight keep the suite
 * short. `all` (the kernel lab) crosses every shape with every layout.
 */
export function matmulCases(all = false): MatmulProblem[] {
  const cases: MatmulProblem[] = [];
  for (let layout = 0; layout < 4; layout++) {
    const shapes = all ? [...VEC4_SHAPES, ...RAGGED_SHAPES] : [VEC4_SHAPES[layout], RAGGED_SHAPES[layout]];
    for (const [M, N, K] of shapes) {
      const epilogue = cases.length;
      cases.push({ M, N, K, transposeA: layout % 2 === 1, transposeB: layout >= 2, hasBias: epilogue % 2 === 0, activation: ACTIVATIONS[epilogue % 5], leakySlope: 0.1 });
    }
  }
  return cases;
}

export function describeProblem(p: MatmulProblem): string {
  const a = p.transposeA ? `(${p.K}x${p.M})ᵀ` : `${p.M}x${p.K}`;
  const b = p.transposeB ? `(${p.N}x${p.K})ᵀ` : `${p.K}x${p.N}`;
  return `${a}·${b}${p.hasBias ? ' +bias' : ''}${p.activation === 'none' ? '' : ` ${p.activation}`}`;
}

export interface MatmulOperands {
  a: Float32Array;
  b: Float32Array;
  bias: Float32Array;
  reference: Float64Array;
}

export function makeOperands(p: MatmulProblem, seed: number): MatmulOperands {
  const random = seededUniform(seed);
  const values = (count: number) => Float32Array.from({ length: count }, () => 2 * random() - 1);
  const a = values(p.M * p.K);
  const b = values(p.K * p.N);
  const bias = p.hasBias ? values(p.N) : new Float32Array(1);
  return { a, b, bias, reference: referenceMatmul(p, a, b, bias) };
}

/** act(op(A)·op(B) + bias) in float64. */
export function referenceMatmul(p: MatmulProblem, a: ArrayLike<number>, b: ArrayLike<number>, bias: ArrayLike<number>): Float64Array {
  const { M, N, K } = p;
  const out = new Float64Array(M * N);
  const opB = new Float64Array(K * N); // op(B) as K×N, so the inner loop runs along a row
  for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) opB[k * N + n] = p.transposeB ? b[n * K + k] : b[k * N + n];
  const row = new Float64Array(N);
  for (let m = 0; m < M; m++) {
    row.fill(0);
    for (let k = 0; k < K; k++) {
      const value = p.transposeA ? a[k * M + m] : a[m * K + k];
      for (let n = 0; n < N; n++) row[n] += value * opB[k * N + n];
    }
    for (let n = 0; n < N; n++) out[m * N + n] = activateReference(row[n] + (p.hasBias ? bias[n] : 0), p.activation, p.leakySlope);
  }
  return out;
}

/** A fused epilogue's activation in float64. */
export function activateReference(x: number, activation: Activation, slope: number): number {
  switch (activation) {
    case 'relu':
      return Math.max(x, 0);
    case 'leakyRelu':
      return x >= 0 ? x : x * slope;
    case 'sigmoid':
      return 1 / (1 + Math.exp(-x));
    case 'tanh':
      return Math.tanh(x);
    default:
      return x;
  }
}

/**
 * f32 sums of K products of inputs in [-1, 1): rounding grows about like sqrt(K) ulps of values of size
 * sqrt(K); a bound linear in K covers any summation order and is still far below an indexing error.
 */
export function matmulTolerance(p: MatmulProblem): number {
  return 1e-5 + 4e-6 * p.K;
}

/**
 * Runs `launch` on `engine` for problem `p` (the output first filled with NaN, so unwritten elements
 * show) and compares with the float64 reference: null when within tolerance, else what went wrong.
 */
export async function checkLaunch(engine: Engine, launch: KernelLaunch, p: MatmulProblem, operands: MatmulOperands): Promise<string | null> {
  const tensors = engine.scope(() => {
    const a = engine.tensor(operands.a, p.transposeA ? [p.K, p.M] : [p.M, p.K]);
    const b = engine.tensor(operands.b, p.transposeB ? [p.N, p.K] : [p.K, p.N]);
    const bias = engine.tensor(operands.bias, [operands.bias.length]);
    const c = engine.tensor(new Float32Array(p.M * p.N).fill(Number.NaN), [p.M, p.N]);
    engine.dispatch(launch.kernel, launch.constants, [a, b, bias, c], launch.workgroups);
    return [a, b, bias, c];
  });
  try {
    const got = await tensors[3].read();
    const tolerance = matmulTolerance(p);
    for (let i = 0; i < got.length; i++) {
      const error = Math.abs(got[i] - operands.reference[i]);
      if (!(error <= tolerance)) {
        return `element ${i} (row ${Math.floor(i / p.N)}, column ${i % p.N}) is ${got[i]}, expected ${operands.reference[i].toPrecision(7)} (tolerance ${tolerance.toExponential(1)})`;
      }
    }
    return null;
  } finally {
    for (const tensor of tensors) tensor.dispose();
  }
}
