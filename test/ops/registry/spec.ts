import type { Tensor } from '../../../src/tensor/tensor.js';

/**
 * How the conformance test draws an input's values: `signed` in [-1, 1); `positive` in [0.5, 2);
 * `awayFromZero` ±[0.2, 1) (for ops with a kink at 0, so that finite differences never straddle it);
 * `probability` in [0.05, 0.95); `{ indices }` u32 in [0, indices), which takes no gradient.
 */
export type Draw = 'signed' | 'positive' | 'awayFromZero' | 'probability' | { readonly indices: number };

export interface InputSpec {
  readonly shape: readonly number[];
  readonly draw?: Draw;
  /** A float input the op gives no gradient (noise, say); default false. */
  readonly constant?: boolean;
}

/** One awkward case of an op: its inputs, and the options its forward and reference read. */
export interface OpCase {
  readonly inputs: readonly InputSpec[];
  readonly options?: Readonly<Record<string, unknown>>;
}

export interface ReferenceInput {
  readonly values: Float64Array;
  readonly shape: readonly number[];
}

/**
 * An op's entry: the forward it runs (which records its gradient rule on the tape under the entry's
 * name), the kernels that forward dispatches, its float64 reference, and its cases. TypeScript refuses an
 * entry without any of these, and the registry's type refuses a tape name without an entry.
 */
export interface OpSpec {
  /** Names of the kernels the forward dispatches (`defineKernel`'s `name`; the matmul's catalogue variant family). */
  readonly kernels: readonly string[];
  readonly forward: (inputs: Tensor[], options: Readonly<Record<string, unknown>>) => Tensor;
  readonly reference: (inputs: readonly ReferenceInput[], options: Readonly<Record<string, unknown>>) => Float64Array;
  readonly cases: readonly OpCase[];
  /** Forward tolerance, relative to each value plus `scaled` times the largest |reference| (sums, products). */
  readonly tolerance?: { readonly relative: number; readonly scaled: number };
}

/** A float64 map of one input, element by element. */
export function mapReference(f: (x: number) => number): OpSpec['reference'] {
  return ([x]) => x.values.map(f);
}
