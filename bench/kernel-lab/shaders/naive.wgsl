// Variant 0: one output per invocation, scalar loads. The baseline.
// (Appended to shaders/matmul.wgsl, whose constants, bindings, op_a/op_b and store it uses.)
@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n = gid.x;
  let m = gid.y;
  if (m >= M || n >= N) { return; }
  var sum = 0.0;
  for (var k = 0u; k < K; k++) {
    sum += op_a(m, k) * op_b(k, n);
  }
  store(m, n, sum);
}
