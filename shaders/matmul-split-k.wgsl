// Matrix multiply with fused epilogue for narrow outputs and long sums, such as an encoder's code
// layer (100×1000 · 1000×8) or a discriminator's logit (N = 1):  C = act(op(A) · op(B) + bias)
// Appended library snippets: matmul-problem (the problem's constants and the epilogue) and
// stable-math (the epilogue's sigmoid and tanh).
// A tiled kernel would give such a product a handful of workgroups, each walking all of K alone. Here
// every workgroup computes one OUT_M × OUT_N block of C and its SPLIT invocations share the sum over
// K: invocation t takes k = t, t + SPLIT, ..., so consecutive invocations read consecutive addresses of
// a buffer that runs along K, then the partial sums are added up in a fixed order (a tree in workgroup
// memory here; matmul-split-k-subgroups.wgsl adds within subgroups first).
// Entry point: matmul_split_k. Any shape, any layout.

// ---- constants set by the host when it creates the pipeline
// (M, N, K, TRANSPOSE_A, TRANSPOSE_B, HAS_BIAS, ACTIVATION, LEAKY_SLOPE: the matmul-problem snippet)
override OUT_M: u32 = 4u;            // rows of C per workgroup: 1 to 4
override OUT_N: u32 = 4u;            // columns of C per workgroup: 1 to 4
override SPLIT: u32 = 128u;          // invocations sharing the sum, a power of two

// Bindings a, b, bias, c: the matmul-problem snippet.

const MAX_OUT: u32 = 4u;

// Row r of an invocation's partial block: partial[r] holds its sums for C[m0 + r, n0 .. n0 + 3].
alias Partial = array<vec4<f32>, MAX_OUT>;

fn block_origin(wid: vec3<u32>, groups: vec3<u32>) -> vec2<u32> {
  let group = wid.x + wid.y * groups.x;
  let blocks_along_n = (N + OUT_N - 1u) / OUT_N;
  return vec2<u32>((group / blocks_along_n) * OUT_M, (group % blocks_along_n) * OUT_N);
}

// Rows and columns past the edges are clamped when read (in bounds, results never written).
fn op_a(m: u32, k: u32) -> f32 {
  let row = min(m, M - 1u);
  if (TRANSPOSE_A) { return a[k * M + row]; }
  return a[row * K + k];
}

fn op_b(k: u32, n: u32) -> f32 {
  let column = min(n, N - 1u);
  if (TRANSPOSE_B) { return b[column * K + k]; }
  return b[k * N + column];
}

// This invocation's share of the block: the sum over k = first, first + SPLIT, ...
fn partial_sums(origin: vec2<u32>, first: u32) -> Partial {
  var sums: Partial;
  for (var k = first; k < K; k += SPLIT) {
    var b_row = vec4<f32>(0.0);
    for (var j = 0u; j < OUT_N; j++) { b_row[j] = op_b(k, origin.y + j); }
    for (var r = 0u; r < OUT_M; r++) { sums[r] += op_a(origin.x + r, k) * b_row; }
  }
  return sums;
}

// Invocation r < OUT_M writes row r of the block.
fn write_row(origin: vec2<u32>, r: u32, sums: vec4<f32>) {
  let m = origin.x + r;
  if (m >= M) { return; }
  for (var j = 0u; j < OUT_N; j++) {
    let n = origin.y + j;
    if (n < N) { c[m * N + n] = epilogue(sums[j], n); }
  }
}

override TREE_VEC4S: u32 = SPLIT * OUT_M;
var<workgroup> tree: array<vec4<f32>, TREE_VEC4S>; // [t * OUT_M + r]: invocation t's partial row r

@compute @workgroup_size(SPLIT)
fn matmul_split_k(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
                  @builtin(local_invocation_index) t: u32) {
  let origin = block_origin(wid, groups);
  if (origin.x >= M) { return; } // spare workgroups of a grid split over two dimensions (uniform)
  let sums = partial_sums(origin, t);
  for (var r = 0u; r < OUT_M; r++) { tree[t * OUT_M + r] = sums[r]; }
  workgroupBarrier();
  // Halve the live partial sums each round: the same additions in the same order every time.
  for (var live = SPLIT / 2u; live > 0u; live /= 2u) {
    if (t < live) {
      for (var r = 0u; r < OUT_M; r++) { tree[t * OUT_M + r] += tree[(t + live) * OUT_M + r]; }
    }
    workgroupBarrier();
  }
  if (t < OUT_M) { write_row(origin, t, tree[t]); }
}
