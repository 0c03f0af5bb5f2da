import type { OpName } from '../../../src/autograd/op-names.js';
import { ELEMENTWISE_OPS } from './elementwise.js';
import { LINEAR_ALGEBRA_OPS } from './linear-algebra.js';
import { LOSS_OPS } from './losses.js';
import { SHAPE_OPS } from './shapes.js';
import type { OpSpec } from './spec.js';

/**
 * The op registry: one entry per name the tape accepts (src/autograd/op-names.ts). Its type maps every
 * OpName to an OpSpec, so an op added to the tape without an entry, or an entry without a reference,
 * kernels or cases, does not compile. test/ops/conformance.test.ts walks it.
 */
export const OP_REGISTRY: { readonly [P in OpName]: OpSpec } = {
  ...ELEMENTWISE_OPS,
  ...LINEAR_ALGEBRA_OPS,
  ...SHAPE_OPS,
  ...LOSS_OPS,
};

export type { OpSpec, OpCase, InputSpec, Draw, ReferenceInput } from './spec.js';
