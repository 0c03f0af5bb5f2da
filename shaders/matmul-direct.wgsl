// Matrix multiply with fused epilogue, one element of C per invocation:  C = act(op(A) · op(B) + bias)
// Appended library snippets: matmul-problem (the problem's constants and the epilogue) and
// stable-math (the epilogue's sigmoid and tanh).
//   op(A) is M×K, op(B) is K×N, C is M×N row-major.
// No reuse beyond what the GPU's caches give: neighbouring invocations of a workgroup row read the same
// op(A) value and neighbouring op(B) values. What it has is parallelism: a 100×1000 output is 400
// workgroups, where a tiled kernel has 32-64 and leaves most of a big GPU idle (measured on an H200:
// 100×1000·1000×1000 ran faster this way than with any tiling).
// Entry point: matmul_direct. Any shape, any layout.

// ---- constants set by the host when it creates the pipeline
// (M, N, K, TRANSPOSE_A, TRANSPOSE_B, HAS_BIAS, ACTIVATION, LEAKY_SLOPE: the matmul-problem snippet)
override WG_X: u32 = 16u;            // invocations along N
override WG_Y: u32 = 16u;            // invocations along M


// Bindings a, b, bias, c: the matmul-problem snippet.

// Workgroups are numbered linearly over a 2-D grid (each dimension is limited to 65535), along N first.
@compute @workgroup_size(WG_X, WG_Y)
fn matmul_direct(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
                 @builtin(local_invocation_id) lid: vec3<u32>) {
  let group = wid.x + wid.y * groups.x;
  let blocks_along_n = (N + WG_X - 1u) / WG_X;
  let m = (group / blocks_along_n) * WG_Y + lid.y;
  let n = (group % blocks_along_n) * WG_X + lid.x;
  if (m >= M || n >= N) { return; }
  var sum = 0.0;
  for (var k = 0u; k < K; k++) {
    let a_value = select(a[m * K + k], a[k * M + m], TRANSPOSE_A);
    let b_value = select(b[k * N + n], b[n * K + k], TRANSPOSE_B);
    sum += a_value * b_value;
  }
  c[m * N + n] = epilogue(sum, n);
}
