// Matrix multiply with fused epilogue, for CPU adapters:  C = act(op(A) · op(B) + bias)
// Appended library snippets: matmul-problem (the problem's constants and the epilogue) and
// stable-math (the epilogue's sigmoid and tanh).
//   op(A) is M×K, op(B) is K×N, C is M×N row-major.
// Entry points (src/kernels/matmul-plan.ts picks one per shape):
//   matmul_quads         each invocation computes a TILE_M × TILE_N block of C from 4×4 quads
//                        read as vec4s along each buffer's contiguous dimension. Needs K % 4 == 0,
//                        plus M % 4 == 0 when TRANSPOSE_A and N % 4 == 0 unless TRANSPOSE_B.
//   matmul_quads_store4  the same, writing C as vec4s: also needs N % 4 == 0.
//   matmul_scalar        4×4 block per invocation with scalar reads: any shape, any layout.
// Why this design: on CPU adapters (lavapipe) invocations run as SIMD lanes and every storage
// read is costly, so each invocation keeps a block of C in registers and reuses every value it
// reads 4-8 times. Workgroup-shared tiling was measured slower there; it is what GPUs need, and
// lives in matmul-tiled.wgsl.
// Out-of-range rows/columns are clamped when read (always in bounds, results unused) and skipped
// when written, so the inner loop carries no bounds checks.

// ---- constants set by the host when it creates the pipeline
// (M, N, K, TRANSPOSE_A, TRANSPOSE_B, HAS_BIAS, ACTIVATION, LEAKY_SLOPE: the matmul-problem snippet)
override TILE_M: u32 = 4u;           // matmul_quads: rows of C per invocation, 4 or 8
override TILE_N: u32 = 8u;           // matmul_quads: columns of C per invocation, 4 or 8
override LANES_ALONG_M: bool = true; // neighbouring invocations take neighbouring row blocks (else column blocks)
override WG_X: u32 = 8u;             // workgroup size along the "lanes" direction
override WG_Y: u32 = 8u;             // workgroup size along the other direction

// Bindings a, b, bias, c (and the vec4 views a4, b4, c4): the matmul-problem snippet.

const SCALAR_TILE: u32 = 4u;   // matmul_scalar computes 4×4 blocks
const MAX_ROW_QUADS: u32 = 2u; // TILE_M / 4 is at most 2
const MAX_COL_QUADS: u32 = 2u; // TILE_N / 4 is at most 2
const MAX_ACC: u32 = 4u * MAX_ROW_QUADS * MAX_COL_QUADS; // vec4 accumulators for the largest block

// ---- epilogue (activate, epilogue, epilogue4: shaders/lib/matmul-problem.wgsl)

fn store(m: u32, n: u32, value: f32) {
  c[m * N + n] = epilogue(value, n);
}

// C[m, n .. n + 3] in one vec4 write; needs N % 4 == 0 and n % 4 == 0.
fn store_quad(m: u32, n: u32, value: vec4<f32>) {
  c4[(m * N + n) / 4u] = epilogue4(value, n);
}

// ---- which block of C an invocation owns

// Workgroups are numbered linearly over a 2-D dispatch grid (each dimension is limited to 65535)
// and cover LANES × OTHER blocks: WG_X blocks in the lanes direction, WG_Y in the other one.
// Returns the first row and column of the invocation's block.
fn block_origin(wid: vec3<u32>, groups: vec3<u32>, lid: vec3<u32>, tile_m: u32, tile_n: u32) -> vec2<u32> {
  let group = wid.x + wid.y * groups.x;
  if (LANES_ALONG_M) {
    let groups_along_m = (M + tile_m * WG_X - 1u) / (tile_m * WG_X);
    return vec2<u32>(((group % groups_along_m) * WG_X + lid.x) * tile_m,
                     ((group / groups_along_m) * WG_Y + lid.y) * tile_n);
  }
  let groups_along_n = (N + tile_n * WG_X - 1u) / (tile_n * WG_X);
  return vec2<u32>(((group / groups_along_n) * WG_Y + lid.y) * tile_m,
                   ((group % groups_along_n) * WG_X + lid.x) * tile_n);
}

// ---- matmul_quads

// 4×4 quad of op(A): column r is op(A)[row + r, k .. k + 3].
fn load_a_quad(row: u32, k: u32) -> mat4x4<f32> {
  if (TRANSPOSE_A) {
    // A is K×M: vec4s run along m; a quad past the last row is clamped onto the last full one.
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

// 4×4 quad of op(B): column kk is op(B)[k + kk, col .. col + 3].
fn load_b_quad(k: u32, col: u32) -> mat4x4<f32> {
  if (TRANSPOSE_B) {
    // B is N×K: vec4s run along k, one per column, transposed into place.
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

// C[m0 .. m0 + TILE_M, n0 .. n0 + TILE_N) before the epilogue: element [r * MAX_COL_QUADS + j]
// holds C[m0 + r, n0 + 4j .. n0 + 4j + 3]. Loop bounds are pipeline constants, so the compiler
// unrolls the loops and keeps these arrays in registers.
fn multiply_block(m0: u32, n0: u32) -> array<vec4<f32>, MAX_ACC> {
  let row_quads = TILE_M / 4u;
  let col_quads = TILE_N / 4u;
  var acc: array<vec4<f32>, MAX_ACC>;
  for (var k = 0u; k < K; k += 4u) {
    var a_quads: array<mat4x4<f32>, MAX_ROW_QUADS>;
    var b_quads: array<mat4x4<f32>, MAX_COL_QUADS>;
    for (var i = 0u; i < row_quads; i++) { a_quads[i] = load_a_quad(m0 + 4u * i, k); }
    for (var j = 0u; j < col_quads; j++) { b_quads[j] = load_b_quad(k, n0 + 4u * j); }
    for (var i = 0u; i < row_quads; i++) {
      for (var r = 0u; r < 4u; r++) {
        for (var j = 0u; j < col_quads; j++) {
          // Row r of A's quad times B's quad: sum over kk of A[r, kk] · B[kk, 0 .. 3].
          acc[(4u * i + r) * MAX_COL_QUADS + j] += b_quads[j] * a_quads[i][r];
        }
      }
    }
  }
  return acc;
}

// Writes a block computed by multiply_block with scalar stores: any N. (Kernel-lab variants use it too.)
fn store_block(m0: u32, n0: u32, acc: array<vec4<f32>, MAX_ACC>) {
  for (var r = 0u; r < TILE_M; r++) {
    let m = m0 + r;
    if (m >= M) { break; }
    for (var j = 0u; j < TILE_N / 4u; j++) {
      for (var e = 0u; e < 4u; e++) {
        let n = n0 + 4u * j + e;
        if (n < N) { store(m, n, acc[r * MAX_COL_QUADS + j][e]); }
      }
    }
  }
}

// Any N: the epilogue writes scalars.
@compute @workgroup_size(WG_X, WG_Y)
fn matmul_quads(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
                @builtin(local_invocation_id) lid: vec3<u32>) {
  let origin = block_origin(wid, groups, lid, TILE_M, TILE_N);
  if (origin.x >= M || origin.y >= N) { return; }
  store_block(origin.x, origin.y, multiply_block(origin.x, origin.y));
}

// N % 4 == 0 as well: the epilogue writes vec4s (fewer writes; matters when K is small).
// A second entry point rather than an override choosing the epilogue: WGSL forbids one entry point
// to reference both views of binding 3 (c and c4), even on branches a constant rules out.
@compute @workgroup_size(WG_X, WG_Y)
fn matmul_quads_store4(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
                       @builtin(local_invocation_id) lid: vec3<u32>) {
  let origin = block_origin(wid, groups, lid, TILE_M, TILE_N);
  if (origin.x >= M || origin.y >= N) { return; }
  let acc = multiply_block(origin.x, origin.y);
  for (var r = 0u; r < TILE_M; r++) {
    let m = origin.x + r;
    if (m >= M) { break; }
    for (var j = 0u; j < TILE_N / 4u; j++) {
      let n = origin.y + 4u * j;
      if (n < N) { store_quad(m, n, acc[r * MAX_COL_QUADS + j]); }
    }
  }
}

// ---- matmul_scalar

fn op_a(m: u32, k: u32) -> f32 {
  if (TRANSPOSE_A) { return a[k * M + m]; }
  return a[m * K + k];
}

fn op_b(k: u32, n: u32) -> f32 {
  if (TRANSPOSE_B) { return b[n * K + k]; }
  return b[k * N + n];
}

@compute @workgroup_size(WG_X, WG_Y)
fn matmul_scalar(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
                 @builtin(local_invocation_id) lid: vec3<u32>) {
  let origin = block_origin(wid, groups, lid, SCALAR_TILE, SCALAR_TILE);
  let m0 = origin.x;
  let n0 = origin.y;
  if (m0 >= M || n0 >= N) { return; }
  var rows: vec4<u32>;
  var cols: vec4<u32>;
  for (var i = 0u; i < SCALAR_TILE; i++) {
    rows[i] = min(m0 + i, M - 1u);
    cols[i] = min(n0 + i, N - 1u);
  }

  var acc: array<vec4<f32>, SCALAR_TILE>; // acc[r] holds C[m0 + r, n0 .. n0 + 3]
  for (var k = 0u; k < K; k++) {
    let b_row = vec4<f32>(op_b(k, cols[0]), op_b(k, cols[1]), op_b(k, cols[2]), op_b(k, cols[3]));
    for (var r = 0u; r < SCALAR_TILE; r++) { acc[r] += op_a(rows[r], k) * b_row; }
  }

  for (var r = 0u; r < SCALAR_TILE; r++) {
    let m = m0 + r;
    if (m >= M) { break; }
    for (var e = 0u; e < SCALAR_TILE; e++) {
      let n = n0 + e;
      if (n < N) { store(m, n, acc[r][e]); }
    }
  }
}
