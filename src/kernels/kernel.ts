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

export function defineKernel(definition: KernelDefinition): KernelDefinition {
  return definition;
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
