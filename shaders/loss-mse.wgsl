// Squared error (p - t)^2 between prediction p and target t, fused with its gradient.
//   d/dp = 2 (p - t),   d/dt = -2 (p - t)
// Entry points: `loss` (one workgroup reduces everything, deterministically), `gradient_prediction`,
// `gradient_prediction_and_target` (one invocation per element, scaled by the incoming scalar gradient).
// Host constants:
override COUNT: u32;                   // elements in prediction and target
override SCALE: f32;                   // 1, 1/COUNT or 1/rows: the reduction
override WORKGROUP_SIZE: u32 = 256u;   // gradient entry points only
override ROW_STRIDE: u32 = 0u;         // gradient entry points: invocations per row of the dispatch grid

const REDUCE_SIZE: u32 = 256u;

@group(0) @binding(0) var<storage, read> prediction: array<f32>;
@group(0) @binding(1) var<storage, read> target_values: array<f32>;
// `loss`:
@group(0) @binding(2) var<storage, read_write> loss_output: array<f32>;
// gradient entry points:
@group(0) @binding(2) var<storage, read> grad_output: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad_prediction: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad_target: array<f32>;

var<workgroup> partial: array<f32, REDUCE_SIZE>;

@compute @workgroup_size(REDUCE_SIZE)
fn loss(@builtin(local_invocation_index) lane: u32) {
  var sum = 0.0;
  for (var i = lane; i < COUNT; i += REDUCE_SIZE) {
    let difference = prediction[i] - target_values[i];
    sum += difference * difference;
  }
  partial[lane] = sum;
  workgroupBarrier();
  for (var width = REDUCE_SIZE / 2u; width > 0u; width /= 2u) {
    if (lane < width) {
      partial[lane] += partial[lane + width];
    }
    workgroupBarrier();
  }
  if (lane == 0u) {
    loss_output[0] = partial[0] * SCALE;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn gradient_prediction(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x + id.y * ROW_STRIDE;
  if (i < COUNT) {
    grad_prediction[i] = 2.0 * grad_output[0] * SCALE * (prediction[i] - target_values[i]);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn gradient_prediction_and_target(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x + id.y * ROW_STRIDE;
  if (i < COUNT) {
    let g = 2.0 * grad_output[0] * SCALE * (prediction[i] - target_values[i]);
    grad_prediction[i] = g;
    grad_target[i] = -g;
  }
}
