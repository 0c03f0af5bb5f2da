// Elementwise maps y = f(x), and their gradients dx = dy * f'(saved).
//
// Host constants:
//   OP               which map: one of the UNARY_* codes below
//   P0, P1           the map's parameters: leakyRelu slope (P0); clamp bounds (P0, P1);
//                    the scalar of addScalar / mulScalar (P0)
//   COUNT            invocations needed: elements, or groups of 4 elements in the `*4` entry points
//   WORKGROUP_SIZE   threads per workgroup
//   ROW_STRIDE       invocations per row of the dispatch grid (grids spill into y past 65535 workgroups)
//
// Entry points: `forward4` / `forward` (bindings x, y) and `backward4` / `backward` (bindings saved,
// dy, dx), 4 elements per invocation when the element count is a multiple of 4, else 1.
//
// Codes (src/ops/unary.ts appends them as WGSL consts, from its UNARY_CODES): UNARY_NEG, UNARY_EXP,
// UNARY_LOG, UNARY_SQRT, UNARY_SQUARE, UNARY_RELU, UNARY_LEAKY_RELU, UNARY_SIGMOID, UNARY_TANH,
// UNARY_SOFTPLUS, UNARY_CLAMP, UNARY_ADD_SCALAR, UNARY_MUL_SCALAR.
//
// Library snippets (src/ops/unary.ts appends them):
//   lib/stable-math.wgsl   sigmoid, stable_tanh, softplus

override OP: u32;
override P0: f32 = 0.0;
override P1: f32 = 0.0;
override COUNT: u32;
override WORKGROUP_SIZE: u32 = 256u;
override ROW_STRIDE: u32;

// Scalar and vec4 views of the same bindings; each entry point uses one view per binding, and forward
// and backward entry points bind different things at 1 and 2.
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(0) var<storage, read> x4: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<storage, read_write> y4: array<vec4f>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> dy4: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx4: array<vec4f>;

fn apply(v: vec4f) -> vec4f {
  switch OP {
    case UNARY_NEG: { return -v; }
    case UNARY_EXP: { return exp(v); }
    case UNARY_LOG: { return log(v); }
    case UNARY_SQRT: { return sqrt(v); }
    case UNARY_SQUARE: { return v * v; }
    case UNARY_RELU: { return max(v, vec4f(0.0)); }
    case UNARY_LEAKY_RELU: { return select(v * P0, v, v > vec4f(0.0)); }
    case UNARY_SIGMOID: { return sigmoid(v); }
    case UNARY_TANH: { return stable_tanh(v); }
    case UNARY_SOFTPLUS: { return softplus(v); }
    // min/max rather than clamp: clamp with constant bounds is checked (low <= high) even when OP is another map.
    case UNARY_CLAMP: { return max(min(v, vec4f(P1)), vec4f(P0)); }
    case UNARY_ADD_SCALAR: { return v + P0; }
    case UNARY_MUL_SCALAR: { return v * P0; }
    default: { return v; }
  }
}

// `saved` is the op's output for exp, sqrt, relu, leakyRelu, sigmoid and tanh, and its input for log,
// square, softplus and clamp (src/ops/unary.ts decides which it binds).
fn gradient(saved: vec4f, g: vec4f) -> vec4f {
  switch OP {
    case UNARY_EXP: { return g * saved; }
    case UNARY_LOG: { return g / saved; }
    case UNARY_SQRT: { return g * 0.5 / saved; }
    case UNARY_SQUARE: { return g * 2.0 * saved; }
    case UNARY_RELU: { return select(vec4f(0.0), g, saved > vec4f(0.0)); }
    case UNARY_LEAKY_RELU: { return select(g * P0, g, saved > vec4f(0.0)); }
    case UNARY_SIGMOID: { return g * saved * (1.0 - saved); }
    case UNARY_TANH: { return g * (1.0 - saved * saved); }
    case UNARY_SOFTPLUS: { return g * sigmoid(saved); }
    case UNARY_CLAMP: { return select(vec4f(0.0), g, (saved > vec4f(P0)) & (saved < vec4f(P1))); }
    default: { return g; }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn forward4(@builtin(global_invocation_id) id: vec3u) {
  let index = id.x + id.y * ROW_STRIDE;
  if (index < COUNT) {
    y4[index] = apply(x4[index]);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn forward(@builtin(global_invocation_id) id: vec3u) {
  let index = id.x + id.y * ROW_STRIDE;
  if (index < COUNT) {
    y[index] = apply(vec4f(x[index])).x;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn backward4(@builtin(global_invocation_id) id: vec3u) {
  let index = id.x + id.y * ROW_STRIDE;
  if (index < COUNT) {
    dx4[index] = gradient(x4[index], dy4[index]);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn backward(@builtin(global_invocation_id) id: vec3u) {
  let index = id.x + id.y * ROW_STRIDE;
  if (index < COUNT) {
    dx[index] = gradient(vec4f(x[index]), vec4f(dy[index])).x;
  }
}
