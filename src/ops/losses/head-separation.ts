import { record } from '../../autograd/tape.js';
import { defineKernel } from '../../kernels/kernel.js';
import { wgslWithLibrary } from '../../kernels/wgsl-library.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkScalarGradient } from './reduction.js';
import source from '../../../shaders/losses/head-separation.wgsl';

const WORKGROUP_SIZE = 64;
const shader = wgslWithLibrary(source, 'workgroup-sum');
const costKernel = defineKernel({ name: 'head-separation:cost', source: shader, entryPoint: 'cost', bindings: ['read', 'write'] });
const gradientKernel = defineKernel({ name: 'head-separation:gradient', source: shader, entryPoint: 'gradient', bindings: ['read', 'read', 'write'] });

/**
 * Σ over pairs of rows of `heads` [K, D] of max(0, margin - distance): the dimensionality-reduction AAE's
 * push that keeps its cluster heads at least `margin` apart. Returns [1], with its gradient.
 */
export function headSeparation(heads: Tensor, margin: number): Tensor {
  const op = 'headSeparation';
  if (heads.dtype !== 'f32' || heads.shape.length !== 2) throw new Error(`${op}: heads ${heads.describe()} must be f32 [clusters, dimensions].`);
  if (!(margin > 0 && Number.isFinite(margin))) throw new Error(`${op}: margin ${margin} must be a positive number.`);
  const [count, dimensions] = heads.shape;
  const engine = heads.engine;
  const constants = { HEADS: count, DIMENSIONS: dimensions, MARGIN: margin, WORKGROUP_SIZE };
  const output = engine.empty([1]);
  engine.dispatch(costKernel, constants, [heads, output], [1, 1, 1]);
  return record(op, [heads], output, (gradOutput) => {
    checkScalarGradient(op, gradOutput);
    const gradHeads = engine.empty(heads.shape);
    engine.dispatch(gradientKernel, constants, [heads, gradOutput, gradHeads], [Math.ceil(count / WORKGROUP_SIZE), 1, 1]);
    return [gradHeads];
  });
}
