import * as ops from '../../../src/index.js';
import { broadcastReference } from '../../helpers/reference.js';
import { mapReference, type OpCase, type OpSpec } from './spec.js';

/** Awkward shapes for maps of one input: a scalar, odd sizes, a full MNIST batch. */
const unaryCases = (draw: 'signed' | 'positive' | 'awayFromZero' = 'signed'): OpCase[] =>
  [[1], [7], [33, 7], [100, 784]].map((shape) => ({ inputs: [{ shape, draw }] }));

/** Pairs of shapes: equal, scalar, broadcast on either side or both, and a bias over a big batch. */
const binaryCases = (divisor = false): OpCase[] =>
  [
    [[7, 33], [7, 33]],
    [[1], [1]],
    [[33, 1], [1, 7]],
    [[7, 33], [33]],
    [[100, 784], [784]],
    [[1000], [1000]],
  ].map(([a, b]) => ({ inputs: [{ shape: a }, { shape: b, draw: divisor ? 'awayFromZero' : 'signed' }] }));

/** The four ways binary.wgsl runs an op: equal shapes or broadcast, four elements per invocation or one. */
const binaryKernels = (op: string) => ['same', 'same4', 'broadcast', 'broadcast4'].map((entry) => `binary:${op}:${entry}`);

const binary = (f: (a: number, b: number) => number): OpSpec['reference'] => ([a, b]) => broadcastReference(a.values, a.shape, b.values, b.shape, f).values;

const unary = (op: (x: ops.Tensor) => ops.Tensor, kernels: string[], f: (x: number) => number, draw?: 'positive' | 'awayFromZero'): OpSpec => ({
  kernels,
  forward: ([x]) => op(x),
  reference: mapReference(f),
  cases: unaryCases(draw),
});

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export const ELEMENTWISE_OPS = {
  add: { kernels: binaryKernels('add'), forward: ([a, b]) => ops.add(a, b), reference: binary((a, b) => a + b), cases: binaryCases() },
  sub: { kernels: binaryKernels('sub'), forward: ([a, b]) => ops.sub(a, b), reference: binary((a, b) => a - b), cases: binaryCases() },
  mul: { kernels: binaryKernels('mul'), forward: ([a, b]) => ops.mul(a, b), reference: binary((a, b) => a * b), cases: binaryCases() },
  div: { kernels: binaryKernels('div'), forward: ([a, b]) => ops.div(a, b), reference: binary((a, b) => a / b), cases: binaryCases(true) },
  neg: unary(ops.neg, ['unary:neg'], (x) => -x),
  addScalar: { kernels: ['unary:addScalar'], forward: ([x]) => ops.addScalar(x, 0.75), reference: mapReference((x) => x + Math.fround(0.75)), cases: unaryCases() },
  mulScalar: { kernels: ['unary:mulScalar'], forward: ([x]) => ops.mulScalar(x, -1.5), reference: mapReference((x) => x * -1.5), cases: unaryCases() },
  exp: unary(ops.exp, ['unary:exp'], Math.exp),
  log: unary(ops.log, ['numerics-guard', 'unary:log'], Math.log, 'positive'),
  sqrt: unary(ops.sqrt, ['numerics-guard', 'unary:sqrt'], Math.sqrt, 'positive'),
  square: unary(ops.square, ['unary:square'], (x) => x * x),
  relu: unary(ops.relu, ['unary:relu'], (x) => Math.max(x, 0), 'awayFromZero'),
  leakyRelu: {
    kernels: ['unary:leakyRelu'],
    forward: ([x], { slope }) => ops.leakyRelu(x, slope as number),
    reference: ([x], { slope }) => x.values.map((v) => (v > 0 ? v : Math.fround(slope as number) * v)),
    cases: [...unaryCases('awayFromZero').map((c) => ({ ...c, options: { slope: 0.2 } })), { inputs: [{ shape: [7, 33], draw: 'awayFromZero' }], options: { slope: 0 } }],
  },
  sigmoid: unary(ops.sigmoid, ['unary:sigmoid'], sigmoid),
  tanh: unary(ops.tanh, ['unary:tanh'], Math.tanh),
  softplus: unary(ops.softplus, ['unary:softplus'], (x) => Math.log1p(Math.exp(x))),
  clamp: {
    kernels: ['unary:clamp'],
    forward: ([x]) => ops.clamp(x, -0.5, 0.5),
    reference: mapReference((x) => Math.min(Math.max(x, -0.5), 0.5)),
    cases: unaryCases('awayFromZero'),
  },
} satisfies Record<string, OpSpec>;
