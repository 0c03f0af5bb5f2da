// A dense layer with bias and ReLU, 100x1000·1000x1000, fused and as separate ops on both sides:
// ours `linear(x, w, b, 'relu')` (one kernel) against tf.fused.matMul, and matmul + add + relu on each.
import { add } from '../../src/ops/arithmetic.js';
import { linear, matmul } from '../../src/ops/matmul.js';
import { relu } from '../../src/ops/unary.js';
import { repeatedOperation, type RunScale, type Workload } from './workload.js';

const [M, K, N] = [100, 1000, 1000];

export function fusedLinearWorkloads(scale: RunScale): Workload[] {
  const common = {
    group: 'fused-linear',
    unit: 'GFLOP/s' as const,
    amountPerOperation: 2 * M * K * N,
    inputShapes: [[M, K], [K, N], [N]],
  };
  return [
    repeatedOperation({
      scale,
      ...common,
      name: `linear+bias+relu fused ${M}x${K}·${K}x${N}`,
      ours: ([x, w, b]) => linear(x, w, b, 'relu'),
      theirs: (tf, [x, w, b]) => tf.fused.matMul({ a: x, b: w, bias: b, activation: 'relu' }),
      // jax-js has no fused layer: its jit fuses what it can of the same three ops.
      jax: ({ numpy: np, nn }, [x, w, b]) => nn.relu(np.matmul(x!, w!).add(b!)),
    }),
    repeatedOperation({
      scale,
      ...common,
      name: `linear+bias+relu separate ops ${M}x${K}·${K}x${N}`,
      ours: ([x, w, b]) => relu(add(matmul(x, w), b)),
      theirs: (tf, [x, w, b]) => tf.tidy(() => tf.relu(tf.add(tf.matMul(x, w), b))),
      jax: ({ numpy: np, nn }, [x, w, b]) => nn.relu(np.matmul(x!, w!).add(b!)),
    }),
  ];
}
