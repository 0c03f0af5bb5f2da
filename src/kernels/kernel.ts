/**
 * What a kernel is to the engine: a WGSL source with one entry point, the access of each binding in
 * group 0 (in binding order), and the pipeline-overridable constants the host fills in.
 */

/** `read`: read-only storage; `write`: read-write storage; `uniform`: a small uniform block. */
export type BindingAccess = 'read' | 'write' | 'uniform';

export interface KernelDefinition {
  /** Names the kernel in errors, labels and profiles. */
  readonly name: string;
  readonly source: string;
  readonly entryPoint?: string;
  readonly bindings: readonly BindingAccess[];
}

/** WGSL `override` values; booleans are given as 0/1. */
export type KernelConstants = Readonly<Record<string, number>>;

/** One way to run a kernel: what to bind it with is up to the caller. */
export interface KernelLaunch {
  readonly kernel: KernelDefinition;
  readonly constants: KernelConstants;
  readonly workgroups: readonly [number, number, number];
  /** Names this way of computing the result: in the tuning cache, `engine.info()` and the kernel lab. */
  readonly variant: string;
}

const defined: KernelDefinition[] = [];

/**
 * Defines a kernel and remembers it, so that test/kernels/kernel-contract.test.ts can check it against its WGSL
 * (entry point, bindings): define kernels when their module loads, not on first use.
 */
export function defineKernel(definition: KernelDefinition): KernelDefinition {
  defined.push(definition);
  return definition;
}

/** Every kernel defined so far, in the order of definition. */
export function definedKernels(): readonly KernelDefinition[] {
  return defined;
}

/**
 * A grid holding `total` workgroups that a kernel numbers linearly (x + y · width): as wide as the
 * per-dimension limit allows, spilling into y. Spare workgroups of the last row must return early.
 */
export function linearGrid(total: number, maxPerDimension = 65535): [number, number, number] {
  const x = Math.max(1, Math.min(total, maxPerDimension));
  const y = Math.ceil(total / x);
  if (y > maxPerDimension) throw new Error(`a grid of ${total} workgroups exceeds ${maxPerDimension}² (split the work)`);
  return [x, y, 1];
}

/** Workgroup counts for `count` invocations in workgroups of `workgroupSize`, spilling into y past the 65535 limit. */
export function linearWorkgroups(count: number, workgroupSize: number, maxPerDimension = 65535): [number, number, number] {
  const groups = Math.max(1, Math.ceil(count / workgroupSize));
  if (groups <= maxPerDimension) return [groups, 1, 1];
  const rows = Math.ceil(groups / maxPerDimension);
  return [Math.ceil(groups / rows), rows, 1];
}

/**
 * Launch parameters for a kernel with one invocation per element, matching the constants the
 * elementwise shaders declare: COUNT, WORKGROUP_SIZE, and ROW_STRIDE for grids that spill into y.
 */
export function perElementLaunch(count: number, workgroupSize = 256): {
  constants: { COUNT: number; WORKGROUP_SIZE: number; ROW_STRIDE: number };
  workgroups: [number, number, number];
} {
  const workgroups = linearWorkgroups(count, workgroupSize);
  return { constants: { COUNT: count, WORKGROUP_SIZE: workgroupSize, ROW_STRIDE: workgroups[0] * workgroupSize }, workgroups };
}
