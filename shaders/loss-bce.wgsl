// Binary cross-entropy on logits x against targets t in [0, 1], fused with its gradient.
//   loss(x, t) = max(x, 0) - x*t + log1p(exp(-|x|))      (never exponentiates a positive number)
//   d/dx = sigmoid(x) - t,   d/dt = -x
// Entry points: `loss` (one workgroup reduces everything, deterministically), `gradient_logits`,
// `gradient_logits_and_targets` (one invocation per element, scaled by the incoming scalar gradient).
// Host constants:
override COUNT: u32;                   // elements in logits and targets
override SCALE: f32;                   // 1, 1/COUNT or 1/rows: the reduction
override WORKGROUP_SIZE: u32 = 256u;   // gradient entry points only
override ROW_STRIDE: u32 = 0u;         // gradient entry points: invocations per row of the dispatch grid

const REDUCE_SIZE: u32 = 256u;

@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> targets: array<f32>;
// `loss`:
@group(0) @binding(2) var<storage, read_write> loss_output: array<f32>;
// gradient entry points:
@group(0) @binding(2) var<storage, read> grad_output: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad_logits: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad_targets: array<f32>;

var<workgroup> partial: array<f32, REDUCE_SIZE>;

// log(1 + u) for u in [0, 1]: the series where 1 + u would round u away.
fn log1p_small(u: f32) -> f32 {
  if (u < 1e-3) {
    return u * (1.0 - u * (0.5 - u / 3.0));
  }
  return log(1.0 + u);
}

fn bce(x: f32, t: f32) -> f32 {
  return max(x, 0.0) - x * t + log1p_small(exp(-abs(x)));
}

fn sigmoid(x: f32) -> f32 {
  let e = exp(-abs(x));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
}

@compute @workgroup_size(REDUCE_SIZE)
fn loss(@builtin(local_invocation_index) lane: u32) {
  var sum = 0.0;
  for (var i = lane; i < COUNT; i += REDUCE_SIZE) {
    sum += bce(logits[i], targets[i]);
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
fn gradient_logits(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x + id.y * ROW_STRIDE;
  if (i < COUNT) {
    grad_logits[i] = grad_output[0] * SCALE * (sigmoid(logits[i]) - targets[i]);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn gradient_logits_and_targets(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x + id.y * ROW_STRIDE;
  if (i < COUNT) {
    let g = grad_output[0] * SCALE;
    let x = logits[i];
    grad_logits[i] = g * (sigmoid(x) - targets[i]);
    grad_targets[i] = -g * x;
  }
}
