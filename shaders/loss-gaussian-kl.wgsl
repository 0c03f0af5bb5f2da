// KL(N(mu, exp(logvar)) || N(0, 1)) per element, fused with its gradient:
//   kl(mu, l) = 0.5 (mu^2 + exp(l) - 1 - l)
//   d/dmu = mu,   d/dl = 0.5 (exp(l) - 1)
// exp(l) - 1 - l cancels badly near l = 0, where its series is used instead.
// Entry points: `loss` (one workgroup reduces everything, deterministically), `gradient` (one invocation
// per element, both gradients, scaled by the incoming scalar gradient).
// Host constants:
override COUNT: u32;                   // elements in mu and logvar
override SCALE: f32;                   // 1, 1/COUNT or 1/rows: the reduction
override WORKGROUP_SIZE: u32 = 256u;   // `gradient` only
override ROW_STRIDE: u32 = 0u;         // `gradient`: invocations per row of the dispatch grid

const REDUCE_SIZE: u32 = 256u;

@group(0) @binding(0) var<storage, read> mu: array<f32>;
@group(0) @binding(1) var<storage, read> logvar: array<f32>;
// `loss`:
@group(0) @binding(2) var<storage, read_write> loss_output: array<f32>;
// `gradient`:
@group(0) @binding(2) var<storage, read> grad_output: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad_mu: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad_logvar: array<f32>;

var<workgroup> partial: array<f32, REDUCE_SIZE>;

// exp(l) - 1 - l, accurate near 0.
fn exp_minus_one_minus(l: f32) -> f32 {
  if (abs(l) < 1e-2) {
    return l * l * (0.5 + l * (1.0 / 6.0 + l * (1.0 / 24.0)));
  }
  return exp(l) - 1.0 - l;
}

// exp(l) - 1, accurate near 0.
fn exp_minus_one(l: f32) -> f32 {
  if (abs(l) < 1e-2) {
    return l * (1.0 + l * (0.5 + l * (1.0 / 6.0)));
  }
  return exp(l) - 1.0;
}

@compute @workgroup_size(REDUCE_SIZE)
fn loss(@builtin(local_invocation_index) lane: u32) {
  var sum = 0.0;
  for (var i = lane; i < COUNT; i += REDUCE_SIZE) {
    let m = mu[i];
    sum += 0.5 * (m * m + exp_minus_one_minus(logvar[i]));
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
fn gradient(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x + id.y * ROW_STRIDE;
  if (i < COUNT) {
    let g = grad_output[0] * SCALE;
    grad_mu[i] = g * mu[i];
    grad_logvar[i] = 0.5 * g * exp_minus_one(logvar[i]);
  }
}
