/**
 * Every differentiable op, by the name it records on the tape. `record` takes no other name, and the op
 * registry of the conformance test (test/ops/registry/) must give each one its kernels, a float64
 * reference and awkward cases: so a new op cannot reach the tape untested.
 */
export const OP_NAMES = [
  // elementwise: src/ops/arithmetic.ts, src/ops/unary.ts
  'add',
  'sub',
  'mul',
  'div',
  'neg',
  'addScalar',
  'mulScalar',
  'exp',
  'log',
  'sqrt',
  'square',
  'relu',
  'leakyRelu',
  'sigmoid',
  'tanh',
  'softplus',
  'clamp',
  // linear algebra: src/ops/matmul.ts
  'matmul',
  'linear',
  // reductions and shapes: src/ops/reduce.ts, broadcast.ts, concat.ts, gather.ts, softmax.ts
  'sum',
  'mean',
  'max',
  'sumToShape',
  'broadcastTo',
  'concat',
  'gatherRows',
  'softmax',
  'logSoftmax',
  // sampling: src/ops/reparameterize.ts
  'reparameterize',
  // losses: src/ops/losses/
  'mse',
  'bceWithLogits',
  'gaussianKl',
  'softmaxCrossEntropy',
  'headSeparation',
] as const;

export type OpName = (typeof OP_NAMES)[number];
