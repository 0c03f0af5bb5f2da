// One Adam step for one parameter, in place: reads param, grad, m, v; writes param, m, v.
//   g' = g + weight_decay * p                      (L2 decay, when not DECOUPLED)
//   m  = BETA1 m + (1 - BETA1) g'
//   v  = BETA2 v + (1 - BETA2) g'^2
//   p  = p - lr * (m / (1 - BETA1^t)) / (sqrt(v / (1 - BETA2^t)) + EPSILON)
// With DECOUPLED (AdamW) the decay is p -= lr * weight_decay * p instead, applied before the update.
// Values that change between steps come in the uniform block the host refills for every step (and
// before every replay of a captured step): the learning rate and the bias corrections of step t.
// Host constants:
override COUNT: u32;                   // elements of the parameter
override BETA1: f32;
override BETA2: f32;
override EPSILON: f32;
override DECOUPLED: bool = false;
override WORKGROUP_SIZE: u32 = 256u;
override ROW_STRIDE: u32;              // invocations per row of the dispatch grid

struct Step {
  learning_rate: f32,
  // 1 / (1 - BETA1^t) and 1 / (1 - BETA2^t), computed on the host in double precision.
  first_moment_correction: f32,
  second_moment_correction: f32,
  weight_decay: f32,
}

@group(0) @binding(0) var<uniform> step_values: Step;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> first_moment: array<f32>;
@group(0) @binding(4) var<storage, read_write> second_moment: array<f32>;
// `main_gated` only: the update happens when gate[0] is not 0 (a skipped step leaves p, m and v alone).
@group(0) @binding(5) var<storage, read> gate: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x + id.y * ROW_STRIDE;
  if (i < COUNT) {
    update(i);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main_gated(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x + id.y * ROW_STRIDE;
  if (i < COUNT && gate[0] != 0.0) {
    update(i);
  }
}

fn update(i: u32) {
  var p = param[i];
  var g = grad[i];
  if (DECOUPLED) {
    p -= step_values.learning_rate * step_values.weight_decay * p;
  } else {
    g += step_values.weight_decay * p;
  }
  let m = BETA1 * first_moment[i] + (1.0 - BETA1) * g;
  let v = BETA2 * second_moment[i] + (1.0 - BETA2) * g * g;
  first_moment[i] = m;
  second_moment[i] = v;
  let m_hat = m * step_values.first_moment_correction;
  let v_hat = v * step_values.second_moment_correction;
  param[i] = p - step_values.learning_rate * m_hat / (sqrt(v_hat) + EPSILON);
}
