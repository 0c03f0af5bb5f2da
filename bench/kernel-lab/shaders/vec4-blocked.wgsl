// Variants of the shipped quads kernel: each invocation computes a TILE_M × TILE_N block (the shipped
// overrides, set per variant) with the shipped multiply_block, and only the mapping of invocations to
// blocks differs. Appended to shaders/matmul.wgsl (multiply_block, store_block); same shape rules as
// its matmul_quads.

fn compute_tile(m0: u32, n0: u32) {
  if (m0 >= M || n0 >= N) { return; }
  store_block(m0, n0, multiply_block(m0, n0));
}

// Invocations map straight onto blocks, from the global id.
@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (LANES_ALONG_M) { compute_tile(gid.x * TILE_M, gid.y * TILE_N); }
  else { compute_tile(gid.y * TILE_M, gid.x * TILE_N); }
}

// Rows come from the workgroup id only (WG_Y must be 1), so the compiler can see that A's
// addresses are the same for every invocation of the workgroup.
@compute @workgroup_size(WG_X, WG_Y)
fn main_row_uniform(@builtin(workgroup_id) wid: vec3<u32>, @builtin(global_invocation_id) gid: vec3<u32>) {
  compute_tile(wid.y * TILE_M, gid.x * TILE_N);
}

// Columns come from the workgroup id only (WG_Y must be 1): B's addresses are the same for every
// invocation of the workgroup, neighbouring invocations take neighbouring row tiles.
@compute @workgroup_size(WG_X, WG_Y)
fn main_col_uniform(@builtin(workgroup_id) wid: vec3<u32>, @builtin(global_invocation_id) gid: vec3<u32>) {
  compute_tile(gid.x * TILE_M, wid.y * TILE_N);
}
