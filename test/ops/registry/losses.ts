import * as ops from '../../../src/index.js';
import { headSeparation } from '../../../src/ops/losses/head-separation.js';
import { logSoftmaxReference } from '../../helpers/reference.js';
import type { OpCase, OpSpec, ReferenceInput } from './spec.js';

/** A loss summed over elements, scaled by its reduction: 1/elements, 1, or 1/rows. */
function reduced(terms: Float64Array, shape: readonly number[], reduction: unknown): Float64Array {
  const total = terms.reduce((sum, value) => sum + value, 0);
  const scale = reduction === 'sum' ? 1 : reduction === 'batchMean' ? 1 / shape[0] : 1 / terms.length;
  return Float64Array.of(total * scale);
}

const pairCases = (second: 'signed' | 'probability'): OpCase[] =>
  [
    { shape: [7, 33], reduction: 'mean' },
    { shape: [1], reduction: 'sum' },
    { shape: [33, 7], reduction: 'batchMean' },
    { shape: [100, 784], reduction: 'mean' },
  ].map(({ shape, reduction }) => ({ inputs: [{ shape }, { shape, draw: second }], options: { reduction } }));

const pairTerms = (f: (a: number, b: number) => number) => ([a, b]: readonly ReferenceInput[]) => a.values.map((value, i) => f(value, b.values[i]));

/** Per-row cross-entropy of softmax(logits) against class indices or probability rows. */
function crossEntropyReference([logits, labels]: readonly ReferenceInput[], { reduction }: Readonly<Record<string, unknown>>): Float64Array {
  const [rows, classes] = logits.shape;
  const logProbabilities = logSoftmaxReference(logits.values, classes);
  let total = 0;
  for (let row = 0; row < rows; row++) {
    if (labels.shape.length === 1) total -= logProbabilities[row * classes + labels.values[row]];
    else for (let j = 0; j < classes; j++) total -= labels.values[row * classes + j] * logProbabilities[row * classes + j];
  }
  return Float64Array.of(reduction === 'sum' ? total : total / rows);
}

export const LOSS_OPS = {
  reparameterize: {
    kernels: ['reparameterize'],
    forward: ([mu, logvar, eps]) => ops.reparameterize(mu, logvar, eps),
    reference: ([mu, logvar, eps]) => mu.values.map((m, i) => m + Math.exp(0.5 * logvar.values[i]) * eps.values[i]),
    cases: [[1], [7, 33], [100, 8]].map((shape) => ({ inputs: [{ shape }, { shape }, { shape }] })),
  },
  mse: {
    kernels: ['mse:loss'],
    forward: ([a, b], { reduction }) => ops.mse(a, b, reduction as ops.Reduction),
    reference: (inputs, { reduction }) => reduced(pairTerms((a, b) => (a - b) ** 2)(inputs), inputs[0].shape, reduction),
    cases: pairCases('signed'),
    tolerance: { relative: 1e-5, scaled: 1e-5 },
  },
  bceWithLogits: {
    kernels: ['bce-with-logits:loss'],
    forward: ([logits, targets], { reduction }) => ops.bceWithLogits(logits, targets, reduction as ops.Reduction),
    reference: (inputs, { reduction }) => reduced(pairTerms((x, t) => Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x))))(inputs), inputs[0].shape, reduction),
    cases: pairCases('probability'),
    tolerance: { relative: 1e-5, scaled: 1e-5 },
  },
  gaussianKl: {
    kernels: ['gaussian-kl:loss'],
    forward: ([mu, logvar], { reduction }) => ops.gaussianKl(mu, logvar, reduction as ops.Reduction),
    reference: (inputs, { reduction }) => reduced(pairTerms((m, v) => 0.5 * (m * m + Math.exp(v) - 1 - v))(inputs), inputs[0].shape, reduction),
    cases: pairCases('signed'),
    tolerance: { relative: 1e-5, scaled: 1e-5 },
  },
  softmaxCrossEntropy: {
    kernels: ['softmax-cross-entropy:loss-indices', 'softmax-cross-entropy:loss-probabilities'],
    forward: ([logits, labels], { reduction }) => ops.softmaxCrossEntropy(logits, labels, reduction as ops.Reduction),
    reference: crossEntropyReference,
    cases: [
      { inputs: [{ shape: [7, 10] }, { shape: [7], draw: { indices: 10 } }], options: { reduction: 'mean' } },
      { inputs: [{ shape: [1, 1] }, { shape: [1], draw: { indices: 1 } }], options: { reduction: 'sum' } },
      { inputs: [{ shape: [33, 16] }, { shape: [33, 16], draw: 'probability' }], options: { reduction: 'mean' } },
      { inputs: [{ shape: [100, 1000] }, { shape: [100], draw: { indices: 1000 } }], options: { reduction: 'sum' } },
    ],
    tolerance: { relative: 1e-5, scaled: 1e-5 },
  },
  headSeparation: {
    kernels: ['head-separation:cost'],
    forward: ([heads], { margin }) => headSeparation(heads, margin as number),
    reference: ([heads], { margin }) => {
      const [count, dimensions] = heads.shape;
      let total = 0;
      for (let i = 0; i < count; i++) {
        for (let j = i + 1; j < count; j++) {
          let squares = 0;
          for (let d = 0; d < dimensions; d++) squares += (heads.values[i * dimensions + d] - heads.values[j * dimensions + d]) ** 2;
          total += Math.max(0, (margin as number) - Math.sqrt(squares));
        }
      }
      return Float64Array.of(total);
    },
    cases: [
      { inputs: [{ shape: [7, 2] }], options: { margin: 1 } },
      { inputs: [{ shape: [1, 3] }], options: { margin: 1 } },
      { inputs: [{ shape: [33, 5] }], options: { margin: 2 } },
    ],
    tolerance: { relative: 1e-5, scaled: 1e-5 },
  },
} satisfies Record<string, OpSpec>;
