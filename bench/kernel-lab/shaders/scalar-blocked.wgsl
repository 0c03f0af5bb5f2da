// Variant: each invocation computes TILE_M × TILE_N outputs with scalar loads, any shape and layout.
// Loads clamp out-of-range rows/columns to the last one (always in bounds); stores are guarded.
const TILE_M: u32 = 4u; // lab rewrites
const TILE_N: u32 = 4u; // lab rewrites

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let m0 = gid.y * TILE_M;
  let n0 = gid.x * TILE_N;
  if (m0 >= M || n0 >= N) { return; }
  var acc: array<array<f32, TILE_N>, TILE_M>;
  var rows: array<u32, TILE_M>;
  var cols: array<u32, TILE_N>;
  for (var r = 0u; r < TILE_M; r++) { rows[r] = min(m0 + r, M - 1u); }
  for (var j = 0u; j < TILE_N; j++) { cols[j] = min(n0 + j, N - 1u); }
  for (var k = 0u; k < K; k++) {
    var av: array<f32, TILE_M>;
    var bv: array<f32, TILE_N>;
    for (var r = 0u; r < TILE_M; r++) { av[r] = op_a(rows[r], k); }
    for (var j = 0u; j < TILE_N; j++) { bv[j] = op_b(k, cols[j]); }
    for (var r = 0u; r < TILE_M; r++) {
      for (var j = 0u; j < TILE_N; j++) { acc[r][j] = fma(av[r], bv[j], acc[r][j]); }
    }
  }
  for (var r = 0u; r < TILE_M; r++) {
    for (var j = 0u; j < TILE_N; j++) {
      let m = m0 + r;
      let n = n0 + j;
      if (m < M && n < N) { c[m * N + n] = finish(acc[r][j], n); }
    }
  }
}
