import { formatShape, sameShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';

/**
 * How a loss turns its per-element (or per-row) values into the one-element result:
 * - `mean`: the mean over all elements (the default);
 * - `sum`: the plain sum;
 * - `batchMean`: summed over the features of each row, then averaged over the rows (axis 0), the usual
 *   convention for a VAE's reconstruction and KL terms.
 */
export type Reduction = 'mean' | 'sum' | 'batchMean';

const REDUCTIONS: readonly Reduction[] = ['mean', 'sum', 'batchMean'];

/** Threads of the one workgroup that sums a loss (a power of two: see shaders/lib/workgroup-sum.wgsl). */
export const LOSS_WORKGROUP_SIZE = 256;

/** The factor a loss's sum is multiplied by: 1/elements, 1, or 1/rows. */
export function reductionScale(op: string, reduction: Reduction, input: Tensor): number {
  switch (reduction) {
    case 'mean':
      return 1 / input.size;
    case 'sum':
      return 1;
    case 'batchMean':
      return 1 / input.shape[0];
    default:
      throw new Error(`${op}: unknown reduction '${String(reduction)}'; use one of ${REDUCTIONS.map((r) => `'${r}'`).join(', ')}.`);
  }
}

export function checkFloat(op: string, name: string, tensor: Tensor): void {
  if (tensor.dtype !== 'f32') throw new Error(`${op}: ${name} ${tensor.describe()} must be f32.`);
}

/** Both inputs of an elementwise loss must have one shape: no broadcasting, which would hide a mix-up. */
export function checkSameShape(op: string, firstName: string, first: Tensor, secondName: string, second: Tensor): void {
  checkFloat(op, firstName, first);
  checkFloat(op, secondName, second);
  if (!sameShape(first.shape, second.shape)) {
    throw new Error(
      `${op}: ${firstName} ${formatShape(first.shape)} and ${secondName} ${formatShape(second.shape)} must have the same shape (no broadcasting).`,
    );
  }
}

/** The gradient flowing into a loss is the one-element gradient of its output. */
export function checkScalarGradient(op: string, gradOutput: Tensor): void {
  if (gradOutput.size !== 1) throw new Error(`${op}: the gradient of the loss must have one element, got ${gradOutput.describe()}.`);
}
