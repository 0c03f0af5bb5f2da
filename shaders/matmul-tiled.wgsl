// Matrix multiply with fused epilogue, for GPUs:  C = act(op(A) · op(B) + bias)
// Appended library snippets: matmul-problem (the problem's constants and the epilogue) and
// stable-math (the epilogue's sigmoid and tanh).
//   op(A) is M×K, op(B) is K×N, C is M×N row-major.
// Each workgroup computes a TILE_M × TILE_N block of C and each invocation a THREAD_M × THREAD_N
// block of that, held in registers. K is walked TILE_K at a time: the workgroup copies the A and B
// tiles it needs into workgroup memory together (consecutive invocations read consecutive addresses),
// then every invocation multiplies from there. A value read from device memory is so reused
// TILE_N / THREAD_N (A) or TILE_M / THREAD_M (B) times by the workgroup and THREAD_N or THREAD_M times
// in registers. (On a CPU adapter this loses to matmul-blocked.wgsl's plain register blocks.)
// Entry points (src/kernels/matmul-variants.ts describes them to the planner and the tuner):
//   matmul_tiled       scalar loads and stores: any shape, any layout.
//   matmul_tiled_vec4  vec4 loads along each buffer's contiguous dimension and vec4 stores. Needs
//                      K % 4 == 0, N % 4 == 0, and M % 4 == 0 when TRANSPOSE_A.
// Tiles past the edges of A and B are filled with zeros, so partial tiles need no special inner loop.

// ---- constants set by the host when it creates the pipeline
// (M, N, K, TRANSPOSE_A, TRANSPOSE_B, HAS_BIAS, ACTIVATION, LEAKY_SLOPE: the matmul-problem snippet)
override TILE_M: u32 = 64u;          // rows of C per workgroup, a multiple of 4 and of THREAD_M
override TILE_N: u32 = 64u;          // columns of C per workgroup, a multiple of 4 and of THREAD_N
override TILE_K: u32 = 16u;          // depth of one A and B tile, a multiple of 4
override THREAD_M: u32 = 4u;         // rows of C per invocation: 4 or 8
override THREAD_N: u32 = 4u;         // columns of C per invocation: 4 or 8

override WG_X: u32 = TILE_N / THREAD_N;  // invocations along N
override WG_Y: u32 = TILE_M / THREAD_M;  // invocations along M
override INVOCATIONS: u32 = WG_X * WG_Y;

// Bindings a, b, bias, c (and the vec4 views a4, b4, c4): the matmul-problem snippet.

// ---- workgroup memory: both tiles k-major, as vec4s along M (A) and N (B), so the multiply reads
// each invocation's rows and columns as whole vec4s.
override A_TILE_VEC4S: u32 = TILE_K * TILE_M / 4u;
override B_TILE_VEC4S: u32 = TILE_K * TILE_N / 4u;
var<workgroup> a_tile: array<vec4<f32>, A_TILE_VEC4S>; // [k * TILE_M / 4 + m / 4][m % 4] = op(A)[m0 + m, k0 + k]
var<workgroup> b_tile: array<vec4<f32>, B_TILE_VEC4S>; // [k * TILE_N / 4 + n / 4][n % 4] = op(B)[k0 + k, n0 + n]

const MAX_THREAD_QUADS_M: u32 = 2u;  // THREAD_M / 4 is at most 2
const MAX_THREAD_QUADS_N: u32 = 2u;  // THREAD_N / 4 is at most 2
const MAX_ACC: u32 = 4u * MAX_THREAD_QUADS_M * MAX_THREAD_QUADS_N;
// Accumulators: acc[r * MAX_THREAD_QUADS_N + j] holds C[row + r, column + 4j .. column + 4j + 3].
// Loop bounds are pipeline constants, so the compiler unrolls the loops and keeps them in registers.
alias Block = array<vec4<f32>, MAX_ACC>;

// ---- which tile a workgroup owns

// Workgroups are numbered linearly over a 2-D grid (each dimension is limited to 65535), along N first.
fn tile_origin(wid: vec3<u32>, groups: vec3<u32>) -> vec2<u32> {
  let group = wid.x + wid.y * groups.x;
  let tiles_along_n = (N + TILE_N - 1u) / TILE_N;
  return vec2<u32>((group / tiles_along_n) * TILE_M, (group % tiles_along_n) * TILE_N);
}

// ---- the multiply, from workgroup memory

fn multiply_tiles(acc: ptr<function, Block>, lid: vec3<u32>) {
  let a_base = lid.y * (THREAD_M / 4u);
  let b_base = lid.x * (THREAD_N / 4u);
  for (var k = 0u; k < TILE_K; k++) {
    var a_quads: array<vec4<f32>, MAX_THREAD_QUADS_M>;
    var b_quads: array<vec4<f32>, MAX_THREAD_QUADS_N>;
    for (var i = 0u; i < THREAD_M / 4u; i++) { a_quads[i] = a_tile[k * (TILE_M / 4u) + a_base + i]; }
    for (var j = 0u; j < THREAD_N / 4u; j++) { b_quads[j] = b_tile[k * (TILE_N / 4u) + b_base + j]; }
    for (var r = 0u; r < THREAD_M; r++) {
      let a_value = a_quads[r / 4u][r % 4u];
      for (var j = 0u; j < THREAD_N / 4u; j++) {
        (*acc)[r * MAX_THREAD_QUADS_N + j] += a_value * b_quads[j];
      }
    }
  }
}

// ---- matmul_tiled: scalar loads, any shape

// op(A)[m, k], or 0 past the edges.
fn op_a(m: u32, k: u32) -> f32 {
  if (m >= M || k >= K) { return 0.0; }
  if (TRANSPOSE_A) { return a[k * M + m]; }
  return a[m * K + k];
}

// op(B)[k, n], or 0 past the edges.
fn op_b(k: u32, n: u32) -> f32 {
  if (k >= K || n >= N) { return 0.0; }
  if (TRANSPOSE_B) { return b[n * K + k]; }
  return b[k * N + n];
}

// Element e of a tile walks along the buffer's contiguous dimension, so consecutive invocations read
// consecutive addresses.
fn load_tiles_scalar(origin: vec2<u32>, k0: u32, invocation: u32) {
  for (var e = invocation; e < TILE_M * TILE_K; e += INVOCATIONS) {
    var m: u32;
    var k: u32;
    if (TRANSPOSE_A) { k = e / TILE_M; m = e % TILE_M; } else { m = e / TILE_K; k = e % TILE_K; }
    a_tile[k * (TILE_M / 4u) + m / 4u][m % 4u] = op_a(origin.x + m, k0 + k);
  }
  for (var e = invocation; e < TILE_K * TILE_N; e += INVOCATIONS) {
    var k: u32;
    var n: u32;
    if (TRANSPOSE_B) { n = e / TILE_K; k = e % TILE_K; } else { k = e / TILE_N; n = e % TILE_N; }
    b_tile[k * (TILE_N / 4u) + n / 4u][n % 4u] = op_b(k0 + k, origin.y + n);
  }
}

@compute @workgroup_size(WG_X, WG_Y)
fn matmul_tiled(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
                @builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) invocation: u32) {
  let origin = tile_origin(wid, groups);
  if (origin.x >= M) { return; } // spare workgroups of a grid split over two dimensions (uniform)
  var acc: Block;
  for (var k0 = 0u; k0 < K; k0 += TILE_K) {
    load_tiles_scalar(origin, k0, invocation);
    workgroupBarrier();
    multiply_tiles(&acc, lid);
    workgroupBarrier();
  }
  let row = origin.x + lid.y * THREAD_M;
  let column = origin.y + lid.x * THREAD_N;
  for (var r = 0u; r < THREAD_M; r++) {
    let m = row + r;
    if (m >= M) { break; }
    for (var j = 0u; j < THREAD_N / 4u; j++) {
      for (var e = 0u; e < 4u; e++) {
        let n = column + 4u * j + e;
        if (n < N) { c[m * N + n] = epilogue(acc[r * MAX_THREAD_QUADS_N + j][e], n); }
      }
    }
  }
}

// ---- matmul_tiled_vec4: vec4 loads and stores
// Its K loop and stores repeat matmul_tiled's on purpose: an entry point may use only one view of each
// binding (a or a4, c or c4), even on a branch a constant rules out, so one loop cannot serve both.

// Four consecutive values along the buffer's contiguous dimension, or zeros past the edges. The shape
// rules make a quad lie wholly inside or wholly outside.
fn load_tiles_vec4(origin: vec2<u32>, k0: u32, invocation: u32) {
  for (var e = invocation; e < TILE_M * TILE_K / 4u; e += INVOCATIONS) {
    if (TRANSPOSE_A) {
      // A is K×M: the quad runs along m and lands in the tile as it is.
      let k = e / (TILE_M / 4u);
      let mq = e % (TILE_M / 4u);
      let m = origin.x + 4u * mq;
      var quad = vec4<f32>(0.0);
      if (k0 + k < K && m < M) { quad = a4[((k0 + k) * M + m) / 4u]; }
      a_tile[k * (TILE_M / 4u) + mq] = quad;
    } else {
      // A is M×K: the quad runs along k, so its values go to four tile rows.
      let m = e / (TILE_K / 4u);
      let kq = e % (TILE_K / 4u);
      var quad = vec4<f32>(0.0);
      if (origin.x + m < M && k0 + 4u * kq < K) { quad = a4[((origin.x + m) * K + k0 + 4u * kq) / 4u]; }
      for (var i = 0u; i < 4u; i++) { a_tile[(4u * kq + i) * (TILE_M / 4u) + m / 4u][m % 4u] = quad[i]; }
    }
  }
  for (var e = invocation; e < TILE_K * TILE_N / 4u; e += INVOCATIONS) {
    if (TRANSPOSE_B) {
      // B is N×K: the quad runs along k.
      let n = e / (TILE_K / 4u);
      let kq = e % (TILE_K / 4u);
      var quad = vec4<f32>(0.0);
      if (origin.y + n < N && k0 + 4u * kq < K) { quad = b4[((origin.y + n) * K + k0 + 4u * kq) / 4u]; }
      for (var i = 0u; i < 4u; i++) { b_tile[(4u * kq + i) * (TILE_N / 4u) + n / 4u][n % 4u] = quad[i]; }
    } else {
      // B is K×N: the quad runs along n and lands as it is.
      let k = e / (TILE_N / 4u);
      let nq = e % (TILE_N / 4u);
      let n = origin.y + 4u * nq;
      var quad = vec4<f32>(0.0);
      if (k0 + k < K && n < N) { quad = b4[((k0 + k) * N + n) / 4u]; }
      b_tile[k * (TILE_N / 4u) + nq] = quad;
    }
  }
}

@compute @workgroup_size(WG_X, WG_Y)
fn matmul_tiled_vec4(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
                     @builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) invocation: u32) {
  let origin = tile_origin(wid, groups);
  if (origin.x >= M) { return; }
  var acc: Block;
  for (var k0 = 0u; k0 < K; k0 += TILE_K) {
    load_tiles_vec4(origin, k0, invocation);
    workgroupBarrier();
    multiply_tiles(&acc, lid);
    workgroupBarrier();
  }
  let row = origin.x + lid.y * THREAD_M;
  let column = origin.y + lid.x * THREAD_N;
  for (var r = 0u; r < THREAD_M; r++) {
    let m = row + r;
    if (m >= M) { break; }
    for (var j = 0u; j < THREAD_N / 4u; j++) {
      let n = column + 4u * j;
      if (n < N) { c4[(m * N + n) / 4u] = epilogue4(acc[r * MAX_THREAD_QUADS_N + j], n); }
    }
  }
}
