import { record } from '../autograd/tape.js';
import { expandTo } from '../launch/broadcast.js';
import { broadcastShapes, formatShape, sameShape, type Shape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { requireFloat } from './checks.js';
import { sumToShape } from './reduce.js';

/** `x` repeated along broadcast axes to `shape` (NumPy rules); its gradient sums back to x's shape. */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  requireFloat('broadcastTo', x);
  const result = broadcastShapes('broadcastTo', x.shape, shape);
  if (!sameShape(result, shape)) {
    throw new Error(`broadcastTo: ${x.describe()} cannot be broadcast to ${formatShape(shape)} (it would need ${formatShape(result)}).`);
  }
  const output = expandTo(x, x.shape, shape);
  return record('broadcastTo', [x], output, (gradOutput) => [sumToShape(gradOutput, x.shape)]);
}

