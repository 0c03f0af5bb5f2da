import { record } from '../autograd/tape.js';
import { defineKernel, linearWorkgroups, perElementLaunch, type KernelDefinition } from '../kernels/kernel.js';
import { wgslWithLibrary } from '../kernels/wgsl-library.js';
import type { Tensor } from '../tensor/tensor.js';
import { requireFloat } from './checks.js';
import softmaxWgsl from '../../shaders/softmax.wgsl';

const softmaxSource = wgslWithLibrary(softmaxWgsl, 'workgroup-sum');

/** Rows up to this long are handled by one invocation each; longer rows by a workgroup each. */
const SERIAL_COLUMNS = 64;

type SoftmaxEntry = `${'forward' | 'backward'}_${'serial' | 'tree'}`;
const kernel = (entryPoint: SoftmaxEntry) => {
  // Forward passes bind (x, y), backward ones (y, dy, dx).
  const bindings = entryPoint.startsWith('forward') ? (['read', 'write'] as const) : (['read', 'read', 'write'] as const);
  return defineKernel({ name: `softmax:${entryPoint}`, source: softmaxSource, entryPoint, bindings });
};
const KERNELS: Record<SoftmaxEntry, KernelDefinition> = {
  forward_serial: kernel('forward_serial'),
  forward_tree: kernel('forward_tree'),
  backward_serial: kernel('backward_serial'),
  backward_tree: kernel('backward_tree'),
};

/** Records one softmax pass (forward or backward) over the rows of the last axis of `shapeOf`. */
function dispatchRows(direction: 'forward' | 'backward', log: boolean, shapeOf: Tensor, bindings: Tensor[]): void {
  const engine = shapeOf.engine;
  const columns = shapeOf.shape[shapeOf.shape.length - 1];
  const rows = shapeOf.size / columns;
  const base = { ROWS: rows, COLUMNS: columns, LOG: log ? 1 : 0 };
  if (columns <= SERIAL_COLUMNS) {
    const launch = perElementLaunch(rows, 64);
    const constants = { ...base, WORKGROUP_SIZE: 64, ROW_STRIDE: launch.constants.ROW_STRIDE };
    engine.dispatch(KERNELS[`${direction}_serial`], constants, bindings, launch.workgroups);
  } else {
    // A power of two no wider than the row, so every thread starts with an element of its own.
    const width = Math.min(256, 2 ** Math.floor(Math.log2(columns / 2)));
    const workgroups = linearWorkgroups(rows, 1);
    engine.dispatch(KERNELS[`${direction}_tree`], { ...base, WORKGROUP_SIZE: width, GROUP_STRIDE: workgroups[0] }, bindings, workgroups);
  }
}

function softmaxOp(op: 'softmax' | 'logSoftmax', x: Tensor): Tensor {
  requireFloat(op, x);
  const log = op === 'logSoftmax';
  const output = x.engine.empty(x.shape);
  dispatchRows('forward', log, x, [x, output]);
  return record(op, [x], output, (gradOutput) => {
    const gradient = x.engine.empty(x.shape);
    dispatchRows('backward', log, x, [output, gradOutput, gradient]);
    return [gradient];
  });
}

/** exp(x) / Σ exp(x) over the last axis, computed as exp(x - max) / Σ exp(x - max) so it never overflows. */
export function softmax(x: Tensor): Tensor {
  return softmaxOp('softmax', x);
}

/** x - max - log Σ exp(x - max) over the last axis: log(softmax(x)) without underflow to -Infinity. */
export function logSoftmax(x: Tensor): Tensor {
  return softmaxOp('logSoftmax', x);
}
