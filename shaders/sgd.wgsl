// One SGD step for one parameter, in place.
//   g' = g + weight_decay * p
//   `plain`:     p -= lr * g'
//   `momentum`:  v = MOMENTUM v + g';  p -= lr * (NESTEROV ? g' + MOMENTUM v : v)
// The learning rate and weight decay come in a uniform block the host refills for every step (and
// before every replay of a captured step), so a schedule can change them.
// Host constants:
override COUNT: u32;                   // elements of the parameter
override MOMENTUM: f32 = 0.0;          // `momentum`
override NESTEROV: bool = false;       // `momentum`
override WORKGROUP_SIZE: u32 = 256u;
override ROW_STRIDE: u32;              // invocations per row of the dispatch grid

struct Step {
  learning_rate: f32,
  weight_decay: f32,
  unused: vec2f,
}

@group(0) @binding(0) var<uniform> step_values: Step;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
// `momentum`:
@group(0) @binding(3) var<storage, read_write> velocity: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn plain(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x + id.y * ROW_STRIDE;
  if (i < COUNT) {
    let p = param[i];
    param[i] = p - step_values.learning_rate * (grad[i] + step_values.weight_decay * p);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn momentum(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x + id.y * ROW_STRIDE;
  if (i >= COUNT) {
    return;
  }
  let p = param[i];
  let g = grad[i] + step_values.weight_decay * p;
  let v = MOMENTUM * velocity[i] + g;
  velocity[i] = v;
  let direction = select(v, g + MOMENTUM * v, NESTEROV);
  param[i] = p - step_values.learning_rate * direction;
}
