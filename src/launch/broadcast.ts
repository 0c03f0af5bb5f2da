// Broadcasting below the tape: how inputs lie inside a broadcast output (the layout every broadcasting
// kernel indexes with), and the gradient-free expand that the broadcasting ops and the reductions'
// gradients are built from.
import { defineKernel, perElementLaunch } from '../kernels/kernel.js';
import { wgslWithLibrary } from '../kernels/wgsl-library.js';
import { broadcastStrides, formatShape, type Shape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import expandWgsl from '../../shaders/broadcast.wgsl';

/** The broadcast kernels index with at most this many axes (after collapsing, see broadcastLayout). */
export const MAX_BROADCAST_RANK = 4;

export interface BroadcastLayout {
  /** The output shape with mergeable axes merged, padded on the left with 1s to MAX_BROADCAST_RANK axes. */
  dims: number[];
  /** Per input: its element strides in `dims`, 0 along axes it is broadcast on. */
  strides: number[][];
}

/**
 * How each input is laid out inside `output` (which each input shape broadcasts to), in as few axes as
 * possible: axes of size 1 are dropped, and neighbouring axes merge when every input is contiguous
 * across them (or broadcast along both). [100, 784] + [784] stays 2-D; [2, 3, 4] + [2, 3, 4] becomes 1-D.
 */
export function broadcastLayout(op: string, output: Shape, inputs: readonly Shape[]): BroadcastLayout {
  const allStrides = inputs.map((shape) => broadcastStrides(shape, output));
  const dims: number[] = [];
  const strides: number[][] = inputs.map(() => []);
  output.forEach((dim, axis) => {
    if (dim === 1) return;
    const last = dims.length - 1;
    const mergeable = last >= 0 && allStrides.every((s, input) => strides[input][last] === s[axis] * dim);
    if (mergeable) {
      dims[last] *= dim;
      allStrides.forEach((s, input) => (strides[input][last] = s[axis]));
    } else {
      dims.push(dim);
      allStrides.forEach((s, input) => strides[input].push(s[axis]));
    }
  });
  if (dims.length > MAX_BROADCAST_RANK) {
    throw new Error(
      `${op}: broadcasting ${inputs.map(formatShape).join(' and ')} to ${formatShape(output)} needs ${dims.length} ` +
        `separate axes; the kernels index at most ${MAX_BROADCAST_RANK}. Reshape the inputs to fewer axes first.`,
    );
  }
  while (dims.length < MAX_BROADCAST_RANK) {
    dims.unshift(1);
    strides.forEach((s) => s.unshift(0));
  }
  return { dims, strides };
}

const expandKernel = defineKernel({ name: 'broadcast', source: wgslWithLibrary(expandWgsl, 'broadcast-index'), bindings: ['read', 'write'] });

/**
 * Records out = `source` (read as `viewShape`, which has its number of elements) broadcast to
 * `target`, times `scale`. No gradient: a building block for broadcastTo and for reduction gradients.
 */
export function expandTo(source: Tensor, viewShape: Shape, target: Shape, scale = 1): Tensor {
  const engine = source.engine;
  const output = engine.empty(target);
  const layout = broadcastLayout('expand', target, [viewShape]);
  const launch = perElementLaunch(output.size);
  const [S0, S1, S2, S3] = layout.strides[0];
  const [D0, D1, D2, D3] = layout.dims;
  engine.dispatch(expandKernel, { ...launch.constants, D0, D1, D2, D3, S0, S1, S2, S3, SCALE: scale }, [source, output], launch.workgroups);
  return output;
}
