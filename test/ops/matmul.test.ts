import { describe, it } from 'vitest';
import { linear, matmul, type Activation } from '../../src/ops/matmul.js';
import { useEngine } from '../helpers/engine.js';
import { expectClose, randomValues } from '../helpers/reference.js';
import { checkGradients } from '../helpers/gradient-check.js';
import { activateReference } from '../../bench/kernel-lab/matmul-check.js';

const gpu = useEngine();

/** float64 reference of act(op(A)·op(B) + bias). */
function referenceMatmul(
  a: Float64Array,
  b: Float64Array,
  M: number,
  N: number,
  K: number,
  { transposeA = false, transposeB = false, bias = null as Float64Array | null, activation = 'none' as Activation, slope = 0.2 } = {},
): Float64Array {
  const c = new Float64Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let total = bias ? bias[n] : 0;
      for (let k = 0; k < K; k++) total += (transposeA ? a[k * M + m] : a[m * K + k]) * (transposeB ? b[n * K + k] : b[k * N + n]);
      c[m * N + n] = activateReference(total, activation, slope);
    }
  }
  return c;
}

// f32 accumulation over K terms of size ~1: error grows about like sqrt(K) ulps.
const tolerance = (K: number) => ({ absolute: 2e-6 * Math.sqrt(K) * 4, relative: 1e-5 });

const shapes: [number, number, number][] = [
  [1, 1, 1],
  [7, 33, 1],
  [1, 7, 33],
  [33, 1, 7],
  [100, 10, 784],
  [100, 8, 1000],
  [100, 1000, 8],
  [7, 2, 100],
  [33, 100, 7],
  [100, 784, 33],
  [64, 64, 64],
];

describe('matmul against a float64 reference', () => {
  for (const [M, N, K] of shapes) {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        it(`${M}×${K}${transposeA ? 'ᵀ' : ''} · ${K}×${N}${transposeB ? 'ᵀ' : ''}`, async () => {
          const { engine } = gpu;
          const a = randomValues(M * K, M * 31 + K);
          const b = randomValues(K * N, N * 17 + K);
          const result = engine.scope(() =>
            matmul(engine.tensor(a, transposeA ? [K, M] : [M, K]), engine.tensor(b, transposeB ? [N, K] : [K, N]), { transposeA, transposeB }),
          );
          expectClose(await result.read(), referenceMatmul(a, b, M, N, K, { transposeA, transposeB }), tolerance(K));
          result.dispose();
        });
      }
    }
  }

  it('a big model shape: 100×784 · 784×1000', async () => {
    const { engine } = gpu;
    const [M, N, K] = [100, 1000, 784];
    const a = randomValues(M * K, 1);
    const b = randomValues(K * N, 2);
    const result = engine.scope(() => matmul(engine.tensor(a, [M, K]), engine.tensor(b, [K, N])));
    expectClose(await result.read(), referenceMatmul(a, b, M, N, K), tolerance(K));
    result.dispose();
  });
});

describe('linear: matmul with a fused bias and activation', () => {
  const activations: Activation[] = ['none', 'relu', 'leakyRelu', 'sigmoid', 'tanh'];
  for (const activation of activations) {
    for (const [M, N, K] of [
      [7, 33, 100],
      [100, 10, 784],
      [100, 1, 8],
      [1000, 2, 7],
    ] as [number, number, number][]) {
      it(`${activation} on ${M}×${K} · ${K}×${N}`, async () => {
        const { engine } = gpu;
        const x = randomValues(M * K, 3);
        const w = randomValues(K * N, 4);
        const bias = randomValues(N, 5);
        const result = engine.scope(() => linear(engine.tensor(x, [M, K]), engine.tensor(w, [K, N]), engine.tensor(bias, [N]), activation, 0.1));
        expectClose(await result.read(), referenceMatmul(x, w, M, N, K, { bias, activation, slope: 0.1 }), tolerance(K));
        result.dispose();
      });
    }
  }
});

describe('gradients by finite differences', () => {
  for (const transposeA of [false, true]) {
    for (const transposeB of [false, true]) {
      it(`matmul ${transposeA ? 'Aᵀ' : 'A'}·${transposeB ? 'Bᵀ' : 'B'}`, async () => {
        const [M, N, K] = [3, 5, 4];
        await checkGradients(gpu.engine, (a, b) => matmul(a, b, { transposeA, transposeB }), [
          { data: randomValues(M * K, 11), shape: transposeA ? [K, M] : [M, K] },
          { data: randomValues(K * N, 12), shape: transposeB ? [N, K] : [K, N] },
        ]);
      });
    }
  }

  for (const activation of ['none', 'relu', 'leakyRelu', 'sigmoid', 'tanh'] as Activation[]) {
    it(`linear with ${activation}`, async () => {
      await checkGradients(gpu.engine, (x, w, b) => linear(x, w, b, activation), [
        { data: randomValues(3 * 4, 21), shape: [3, 4] },
        { data: randomValues(4 * 2, 22), shape: [4, 2] },
        { data: randomValues(2, 23), shape: [2] },
      ]);
    });
  }
});
