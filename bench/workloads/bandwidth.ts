// Memory-bound kernels: an elementwise add (reads two arrays, writes one) and a full sum reduction
// (reads one array). Reported in GB/s of the bytes each must move at least.
import { add } from '../../src/ops/arithmetic.js';
import { sum } from '../../src/ops/reduce.js';
import { repeatedOperation, type RunScale, type Workload } from './workload.js';

export function bandwidthWorkloads(scale: RunScale): Workload[] {
  const count = { quick: 1 << 18, cpu: 1 << 22, gpu: 1 << 24 }[scale];
  const label = `${count / (1 << 20) >= 1 ? `${count / (1 << 20)}M` : `${count / 1024}K`} f32`;
  return [
    repeatedOperation({
      scale,
      name: `add ${label}`,
      group: 'elementwise',
      unit: 'GB/s',
      amountPerOperation: 3 * 4 * count,
      inputShapes: [[count], [count]],
      ours: ([a, b]) => add(a, b),
      theirs: (tf, [a, b]) => tf.add(a, b),
      jax: ({ numpy: np }, [a, b]) => np.add(a!, b!),
    }),
    repeatedOperation({
      scale,
      name: `sum ${label}`,
      group: 'reduction',
      unit: 'GB/s',
      amountPerOperation: 4 * count,
      inputShapes: [[count]],
      ours: ([x]) => sum(x),
      theirs: (tf, [x]) => tf.sum(x),
      jax: ({ numpy: np }, [x]) => np.sum(x!),
    }),
  ];
}
