// Variants: each invocation computes TILE_M × TILE_N outputs from 4×4 quads loaded as vec4s
// along each buffer's contiguous dimension (K for A, N for B; M for Aᵀ, K for Bᵀ).
// Needs K % 4 == 0, M % 4 == 0 when TRANSPOSE_A, N % 4 == 0 unless TRANSPOSE_B.
// Out-of-range rows/columns are clamped on load (in bounds, values unused) and skipped on store.
const TILE_M: u32 = 4u; // lab rewrites; multiple of 4
const TILE_N: u32 = 8u; // lab rewrites; multiple of 4
const ROW_QUADS: u32 = TILE_M / 4u;
const COL_QUADS: u32 = TILE_N / 4u;
override LANES_ALONG_M: bool = false; // neighbouring invocations take neighbouring row tiles

// 4×4 block of op(A): column r is op(A)[row + r, k .. k + 3].
fn load_a_quad(row: u32, k: u32) -> mat4x4<f32> {
  if (TRANSPOSE_A) {
    let stride = M / 4u;
    let q = min(row, M - 4u) / 4u;
    return transpose(mat4x4<f32>(a4[k * stride + q], a4[(k + 1u) * stride + q],
                                 a4[(k + 2u) * stride + q], a4[(k + 3u) * stride + q]));
  }
  let stride = K / 4u;
  let kq = k / 4u;
  return mat4x4<f32>(a4[min(row, M - 1u) * stride + kq], a4[min(row + 1u, M - 1u) * stride + kq],
                     a4[min(row + 2u, M - 1u) * stride + kq], a4[min(row + 3u, M - 1u) * stride + kq]);
}

// 4×4 block of op(B): column kk is op(B)[k + kk, col .. col + 3].
fn load_b_quad(k: u32, col: u32) -> mat4x4<f32> {
  if (TRANSPOSE_B) {
    let stride = K / 4u;
    let kq = k / 4u;
    return transpose(mat4x4<f32>(b4[min(col, N - 1u) * stride + kq], b4[min(col + 1u, N - 1u) * stride + kq],
                                 b4[min(col + 2u, N - 1u) * stride + kq], b4[min(col + 3u, N - 1u) * stride + kq]));
  }
  let stride = N / 4u;
  let q = min(col, N - 4u) / 4u;
  return mat4x4<f32>(b4[k * stride + q], b4[(k + 1u) * stride + q],
                     b4[(k + 2u) * stride + q], b4[(k + 3u) * stride + q]);
}

fn compute_tile(m0: u32, n0: u32) {
  if (m0 >= M || n0 >= N) { return; }
  var acc: array<vec4<f32>, TILE_M * COL_QUADS>; // acc[r * COL_QUADS + j] = C[m0 + r, n0 + 4j ..]
  for (var k = 0u; k < K; k += 4u) {
    var aq: array<mat4x4<f32>, ROW_QUADS>;
    var bq: array<mat4x4<f32>, COL_QUADS>;
    for (var i = 0u; i < ROW_QUADS; i++) { aq[i] = load_a_quad(m0 + 4u * i, k); }
    for (var j = 0u; j < COL_QUADS; j++) { bq[j] = load_b_quad(k, n0 + 4u * j); }
    for (var i = 0u; i < ROW_QUADS; i++) {
      for (var r = 0u; r < 4u; r++) {
        for (var j = 0u; j < COL_QUADS; j++) {
          acc[(4u * i + r) * COL_QUADS + j] += bq[j] * aq[i][r];
        }
      }
    }
  }
  for (var r = 0u; r < TILE_M; r++) {
    let m = m0 + r;
    if (m >= M) { break; }
    for (var j = 0u; j < COL_QUADS; j++) {
      for (var e = 0u; e < 4u; e++) {
        let n = n0 + 4u * j + e;
        if (n < N) { c[m * N + n] = finish(acc[r * COL_QUADS + j][e], n); }
      }
    }
  }
}

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
