// Variant: each invocation computes LAB_TILE_M × LAB_TILE_N outputs with scalar loads, any shape and layout.
// Loads clamp out-of-range rows/columns to the last one (always in bounds); stores are guarded.
// (Appended to shaders/matmul.wgsl, whose constants, bindings, op_a/op_b and store it uses.)
const LAB_TILE_M: u32 = 4u; // lab rewrites
const LAB_TILE_N: u32 = 4u; // lab rewrites

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let m0 = gid.y * LAB_TILE_M;
  let n0 = gid.x * LAB_TILE_N;
  if (m0 >= M || n0 >= N) { return; }
  var acc: array<array<f32, LAB_TILE_N>, LAB_TILE_M>;
  var rows: array<u32, LAB_TILE_M>;
  var cols: array<u32, LAB_TILE_N>;
  for (var r = 0u; r < LAB_TILE_M; r++) { rows[r] = min(m0 + r, M - 1u); }
  for (var j = 0u; j < LAB_TILE_N; j++) { cols[j] = min(n0 + j, N - 1u); }
  for (var k = 0u; k < K; k++) {
    var av: array<f32, LAB_TILE_M>;
    var bv: array<f32, LAB_TILE_N>;
    for (var r = 0u; r < LAB_TILE_M; r++) { av[r] = op_a(rows[r], k); }
    for (var j = 0u; j < LAB_TILE_N; j++) { bv[j] = op_b(k, cols[j]); }
    for (var r = 0u; r < LAB_TILE_M; r++) {
      for (var j = 0u; j < LAB_TILE_N; j++) { acc[r][j] = fma(av[r], bv[j], acc[r][j]); }
    }
  }
  for (var r = 0u; r < LAB_TILE_M; r++) {
    for (var j = 0u; j < LAB_TILE_N; j++) {
      let m = m0 + r;
      let n = n0 + j;
      if (m < M && n < N) { store(m, n, acc[r][j]); }
    }
  }
}
