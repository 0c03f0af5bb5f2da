// Matmul at the shapes an AAE step runs (each layer's forward, and its backward: dX = dY·Wᵀ and
// dW = Xᵀ·dY) and at square sizes. tfjs gets the same transposes through tf.matMul's flags.
import { matmul } from '../../src/ops/matmul.js';
import { repeatedOperation, type RunScale, type Workload } from './workload.js';

interface MatmulShape {
  M: number;
  K: number;
  N: number;
  transposeA?: boolean;
  transposeB?: boolean;
}

const BATCH = 100;

/** Layers (in, out) whose shapes the issue names: 784→1000, 1000→1000, 1000→8, 8→1000. */
const LAYERS: readonly [number, number][] = [
  [784, 1000],
  [1000, 1000],
  [1000, 8],
  [8, 1000],
];

/** Square sizes: what a CPU adapter manages in seconds, and on a GPU sizes big enough to fill it. */
const SQUARES: Record<RunScale, number[]> = { quick: [256], cpu: [256, 512, 1024], gpu: [1024, 2048, 4096] };

export function matmulShapes(scale: RunScale): MatmulShape[] {
  const forward = LAYERS.map(([inputs, outputs]) => ({ M: BATCH, K: inputs, N: outputs }));
  const square = SQUARES[scale].map((n) => ({ M: n, K: n, N: n }));
  if (scale === 'quick') return [...forward, ...square];
  const backward = LAYERS.flatMap(([inputs, outputs]): MatmulShape[] => [
    { M: BATCH, K: outputs, N: inputs, transposeB: true }, // dX = dY · Wᵀ
    { M: inputs, K: BATCH, N: outputs, transposeA: true }, // dW = Xᵀ · dY
  ]);
  return [...forward, ...backward, ...square];
}

export function describeMatmul({ M, K, N, transposeA, transposeB }: MatmulShape): string {
  const a = transposeA ? `(${K}x${M})ᵀ` : `${M}x${K}`;
  const b = transposeB ? `(${N}x${K})ᵀ` : `${K}x${N}`;
  return `matmul ${a}·${b}`;
}

export function matmulWorkloads(scale: RunScale): Workload[] {
  return matmulShapes(scale).map((shape) => {
    const transposeA = shape.transposeA ?? false;
    const transposeB = shape.transposeB ?? false;
    return repeatedOperation({
      scale,
      name: describeMatmul(shape),
      group: 'matmul',
      unit: 'GFLOP/s',
      amountPerOperation: 2 * shape.M * shape.K * shape.N,
      inputShapes: [transposeA ? [shape.K, shape.M] : [shape.M, shape.K], transposeB ? [shape.N, shape.K] : [shape.K, shape.N]],
      ours: ([a, b]) => matmul(a, b, { transposeA, transposeB }),
      theirs: (tf, [a, b]) => tf.matMul(a, b, transposeA, transposeB),
      jax: ({ numpy: np }, [a, b]) => np.matmul(transposeA ? a!.transpose() : a!, transposeB ? b!.transpose() : b!),
    });
  });
}
