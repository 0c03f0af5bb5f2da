enable subgroups;
// The split-K matmul with its partial sums added within each subgroup first (one subgroupAdd per row
// instead of log2(SPLIT) rounds through workgroup memory), then across subgroups in workgroup memory.
// Needs the adapter's `subgroups` feature. matmul-split-k.wgsl (constants, partial_sums,
// write_row) and the matmul-problem (bindings, epilogue) and stable-math snippets are appended by the host.
// Entry point: matmul_split_k_subgroups.

const MIN_SUBGROUP_SIZE: u32 = 4u; // WebGPU guarantees subgroups of at least 4 invocations

override SUBGROUP_SLOTS: u32 = (SPLIT / MIN_SUBGROUP_SIZE) * OUT_M;
var<workgroup> subgroup_sums: array<vec4<f32>, SUBGROUP_SLOTS>; // [s * OUT_M + r]: subgroup s's row r

@compute @workgroup_size(SPLIT)
fn matmul_split_k_subgroups(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
                            @builtin(local_invocation_index) t: u32, @builtin(subgroup_size) subgroup_size: u32,
                            @builtin(subgroup_invocation_id) lane: u32) {
  let origin = block_origin(wid, groups);
  if (origin.x >= M) { return; }
  let sums = partial_sums(origin, t);
  // A one-dimensional workgroup is cut into subgroups of consecutive invocations.
  let subgroup = t / subgroup_size;
  for (var r = 0u; r < OUT_M; r++) {
    let total = subgroupAdd(sums[r]);
    if (lane == 0u) { subgroup_sums[subgroup * OUT_M + r] = total; }
  }
  workgroupBarrier();
  if (t < OUT_M) {
    var row = vec4<f32>(0.0);
    for (var s = 0u; s < SPLIT / subgroup_size; s++) { row += subgroup_sums[s * OUT_M + t]; }
    write_row(origin, t, row);
  }
}
