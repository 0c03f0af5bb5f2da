// Library snippet (src/kernels/wgsl-library.ts appends it to the kernels that name it): the problem
// every matmul kernel solves, C = act(op(A) · op(B) + bias), as the host describes it, and its fused
// epilogue act(x + bias[n]), and the four bindings every variant shares, so that any variant can replace
// another in a recorded dispatch. Expects from the stable-math snippet, appended too: sigmoid and stable_tanh. The activation
// codes ACTIVATION_NONE, ACTIVATION_RELU, ACTIVATION_LEAKY_RELU, ACTIVATION_SIGMOID and ACTIVATION_TANH
// are appended as WGSL consts by src/kernels/matmul-variants.ts, from its ACTIVATION_CODES.

// ---- constants set by the host when it creates the pipeline
override M: u32;                     // rows of op(A) and of C
override N: u32;                     // columns of op(B) and of C
override K: u32;                     // columns of op(A) = rows of op(B)
override TRANSPOSE_A: bool = false;  // buffer A holds K×M row-major (else M×K)
override TRANSPOSE_B: bool = false;  // buffer B holds N×K row-major (else K×N)
override HAS_BIAS: bool = false;     // add bias[n]; when false the bias binding is a dummy, never read
override ACTIVATION: u32 = ACTIVATION_NONE;  // one of the ACTIVATION_* codes
override LEAKY_SLOPE: f32 = 0.01;    // slope for negative inputs under leakyRelu

// ---- bindings (group 0), the same for every variant (BINDINGS in src/kernels/matmul-variants.ts). A and
// B and C have a scalar and a vec4 view each; an entry point reads each buffer through one view only.
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(0) var<storage, read> a4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(1) var<storage, read> b4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;   // a one-element stand-in when !HAS_BIAS
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<storage, read_write> c4: array<vec4<f32>>;

// ---- the epilogue

// act(v) for four values at once (a scalar goes in as vec4f(x) and comes out as `.x`).
fn activate(v: vec4<f32>) -> vec4<f32> {
  switch ACTIVATION {
    case ACTIVATION_RELU: { return max(v, vec4<f32>(0.0)); }
    case ACTIVATION_LEAKY_RELU: { return select(v * LEAKY_SLOPE, v, v >= vec4<f32>(0.0)); }
    case ACTIVATION_SIGMOID: { return sigmoid(v); }
    case ACTIVATION_TANH: { return stable_tanh(v); }
    default: { return v; }   // ACTIVATION_NONE
  }
}

// C[m, n] from its accumulated sum.
fn epilogue(sum: f32, n: u32) -> f32 {
  var v = sum;
  if (HAS_BIAS) { v += bias[n]; }
  return activate(vec4<f32>(v)).x;
}

// C[m, n .. n + 3] from four accumulated sums. The bias stays a scalar view: without bias the host binds
// a 4-byte stand-in, too small for a vec4 view.
fn epilogue4(sums: vec4<f32>, n: u32) -> vec4<f32> {
  var v = sums;
  if (HAS_BIAS) { v += vec4<f32>(bias[n], bias[n + 1u], bias[n + 2u], bias[n + 3u]); }
  return activate(v);
}
