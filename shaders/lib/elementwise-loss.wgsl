// Library snippet (src/kernels/wgsl-library.ts appends it to the kernels that name it): the host
// constants, bindings and entry points of a loss that sums f(a, b) over the element pairs of two
// same-shape inputs a and b, fused with its gradient. src/ops/losses/elementwise-loss.ts dispatches them.
//
// Expects from the kernel:
//   fn loss_term(a: f32, b: f32) -> f32         the loss of one element pair
//   fn loss_gradient(a: f32, b: f32) -> vec2f   its derivatives (d/da, d/db)
// and lib/workgroup-sum.wgsl.
//
// Entry points: `loss` (bindings a, b, loss[1]; one workgroup sums everything in a fixed order),
// `gradient_first` (a, b, grad_output[1], grad_a) and `gradient_both` (a, b, grad_output[1], grad_a,
// grad_b): one invocation per element, scaled by the incoming scalar gradient.

// Host constants:
override COUNT: u32;                   // elements in each input
override SCALE: f32;                   // 1, 1/COUNT or 1/rows: the reduction
override WORKGROUP_SIZE: u32 = 256u;   // threads per workgroup; a power of two for `loss`
override ROW_STRIDE: u32 = 0u;         // gradient entry points: invocations per row of the dispatch grid

@group(0) @binding(0) var<storage, read> first_input: array<f32>;
@group(0) @binding(1) var<storage, read> second_input: array<f32>;
// `loss`:
@group(0) @binding(2) var<storage, read_write> loss_output: array<f32>;
// gradient entry points:
@group(0) @binding(2) var<storage, read> grad_output: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad_first: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad_second: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn loss(@builtin(local_invocation_index) local: u32) {
  var sum = 0.0;
  for (var i = local; i < COUNT; i += WORKGROUP_SIZE) {
    sum += loss_term(first_input[i], second_input[i]);
  }
  let total = workgroup_sum(sum, local);
  if (local == 0u) {
    loss_output[0] = total * SCALE;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn gradient_first(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x + id.y * ROW_STRIDE;
  if (i < COUNT) {
    grad_first[i] = grad_output[0] * SCALE * loss_gradient(first_input[i], second_input[i]).x;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn gradient_both(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x + id.y * ROW_STRIDE;
  if (i < COUNT) {
    let gradient = grad_output[0] * SCALE * loss_gradient(first_input[i], second_input[i]);
    grad_first[i] = gradient.x;
    grad_second[i] = gradient.y;
  }
}
