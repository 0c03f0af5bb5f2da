import * as ops from '../../../src/index.js';
import { broadcastReference, logSoftmaxReference, reduceReference, size as sizeOf } from '../../helpers/reference.js';
import type { OpCase, OpSpec, ReferenceInput } from './spec.js';

const lastAxis = (x: ReferenceInput) => x.shape[x.shape.length - 1];

const reductionCases: OpCase[] = [
  { inputs: [{ shape: [1] }] },
  { inputs: [{ shape: [1000] }] },
  { inputs: [{ shape: [7, 33] }], options: { axis: 0 } },
  { inputs: [{ shape: [7, 33] }], options: { axis: -1, keepDims: true } },
  { inputs: [{ shape: [3, 5, 7] }], options: { axis: 1 } },
  { inputs: [{ shape: [100, 784] }], options: { axis: 0 } },
  { inputs: [{ shape: [100, 784] }], options: { axis: 1 } },
];

const reduce = (combine: (a: number, b: number) => number, finish: (value: number, count: number) => number = (value) => value): OpSpec['reference'] =>
  ([x], { axis }) => {
    const reduced = reduceReference(x.values, x.shape, axis as number | undefined, combine);
    const count = sizeOf(x.shape) / reduced.length;
    return reduced.map((value) => finish(value, count));
  };

/** Sums of `x` down to `shape` (its broadcast source): the reference of sumToShape. */
function sumToReference(x: ReferenceInput, shape: readonly number[]): Float64Array {
  const rank = x.shape.length;
  const padded = [...new Array<number>(rank - shape.length).fill(1), ...shape];
  const result = new Float64Array(sizeOf(shape));
  const index = new Array<number>(rank).fill(0);
  for (let flat = 0; flat < x.values.length; flat++) {
    let rest = flat;
    for (let i = rank - 1; i >= 0; i--) {
      index[i] = rest % x.shape[i];
      rest = Math.floor(rest / x.shape[i]);
    }
    let target = 0;
    for (let i = 0; i < rank; i++) target = target * padded[i] + (padded[i] === 1 ? 0 : index[i]);
    result[target] += x.values[flat];
  }
  return result;
}

/** Concatenation along `axis` in float64. */
function concatReference(inputs: readonly ReferenceInput[], axis: number): Float64Array {
  const rank = inputs[0].shape.length;
  const at = axis < 0 ? axis + rank : axis;
  const outer = sizeOf(inputs[0].shape.slice(0, at));
  const pieces = inputs.map((input) => sizeOf(input.shape.slice(at)));
  const width = pieces.reduce((a, b) => a + b, 0);
  const result = new Float64Array(outer * width);
  for (let o = 0; o < outer; o++) {
    let offset = 0;
    inputs.forEach((input, i) => {
      result.set(input.values.subarray(o * pieces[i], (o + 1) * pieces[i]), o * width + offset);
      offset += pieces[i];
    });
  }
  return result;
}

/** Short rows take one invocation each, long ones a workgroup's tree. */
const SOFTMAX_KERNELS = ['softmax:forward_serial', 'softmax:forward_tree'];

const softmaxCases: OpCase[] = [[1, 1], [7, 33], [100, 10], [33, 1000]].map((shape) => ({ inputs: [{ shape }] }));

export const SHAPE_OPS = {
  sum: {
    kernels: ['reduce:sum_columns', 'reduce:sum_segments'],
    forward: ([x], { axis, keepDims }) => ops.sum(x, axis as number | undefined, keepDims as boolean | undefined),
    reference: reduce((a, b) => a + b),
    cases: reductionCases,
    tolerance: { relative: 1e-5, scaled: 1e-6 },
  },
  mean: {
    kernels: ['reduce:sum_columns', 'reduce:sum_segments'],
    forward: ([x], { axis, keepDims }) => ops.mean(x, axis as number | undefined, keepDims as boolean | undefined),
    reference: reduce((a, b) => a + b, (value, count) => value / count),
    cases: reductionCases,
    tolerance: { relative: 1e-5, scaled: 1e-6 },
  },
  max: {
    kernels: ['reduce:max_columns', 'reduce:max_segments'],
    forward: ([x], { axis, keepDims }) => ops.max(x, axis as number | undefined, keepDims as boolean | undefined),
    reference: reduce(Math.max),
    cases: reductionCases,
  },
  sumToShape: {
    kernels: ['reduce:sum_columns'],
    forward: ([x], { shape }) => ops.sumToShape(x, shape as number[]),
    reference: ([x], { shape }) => sumToReference(x, shape as number[]),
    cases: [
      { inputs: [{ shape: [7, 33] }], options: { shape: [33] } },
      { inputs: [{ shape: [7, 33] }], options: { shape: [7, 1] } },
      { inputs: [{ shape: [3, 5, 7] }], options: { shape: [5, 1] } },
      { inputs: [{ shape: [100, 784] }], options: { shape: [784] } },
    ],
    tolerance: { relative: 1e-5, scaled: 1e-6 },
  },
  broadcastTo: {
    kernels: ['broadcast'],
    forward: ([x], { shape }) => ops.broadcastTo(x, shape as number[]),
    reference: ([x], { shape }) => broadcastReference(x.values, x.shape, new Float64Array(sizeOf(shape as number[])), shape as number[], (a) => a).values,
    cases: [
      { inputs: [{ shape: [33] }], options: { shape: [7, 33] } },
      { inputs: [{ shape: [7, 1] }], options: { shape: [7, 33] } },
      { inputs: [{ shape: [1] }], options: { shape: [5, 3, 2] } },
      { inputs: [{ shape: [784] }], options: { shape: [100, 784] } },
    ],
  },
  concat: {
    kernels: ['concat:place'],
    forward: (inputs, { axis }) => ops.concat(inputs, axis as number),
    reference: (inputs, { axis }) => concatReference(inputs, axis as number),
    cases: [
      { inputs: [{ shape: [7, 3] }, { shape: [7, 5] }], options: { axis: -1 } },
      { inputs: [{ shape: [2, 33] }, { shape: [5, 33] }, { shape: [1, 33] }], options: { axis: 0 } },
      { inputs: [{ shape: [1] }, { shape: [1] }], options: { axis: 0 } },
      { inputs: [{ shape: [100, 784] }, { shape: [100, 10] }], options: { axis: 1 } },
    ],
  },
  gatherRows: {
    kernels: ['gather:rows'],
    forward: ([table, indices]) => ops.gatherRows(table, indices),
    reference: ([table, indices]) => {
      const columns = table.shape[1];
      const result = new Float64Array(indices.values.length * columns);
      indices.values.forEach((row, i) => result.set(table.values.subarray(row * columns, (row + 1) * columns), i * columns));
      return result;
    },
    cases: [
      { inputs: [{ shape: [7, 5] }, { shape: [9], draw: { indices: 7 } }] },
      { inputs: [{ shape: [1, 1] }, { shape: [3], draw: { indices: 1 } }] },
      { inputs: [{ shape: [1000, 33] }, { shape: [100], draw: { indices: 1000 } }] },
    ],
  },
  softmax: { kernels: SOFTMAX_KERNELS, forward: ([x]) => ops.softmax(x), reference: ([x]) => logSoftmaxReference(x.values, lastAxis(x)).map(Math.exp), cases: softmaxCases },
  logSoftmax: { kernels: SOFTMAX_KERNELS, forward: ([x]) => ops.logSoftmax(x), reference: ([x]) => logSoftmaxReference(x.values, lastAxis(x)), cases: softmaxCases },
} satisfies Record<string, OpSpec>;
