// Lab prelude: prepended by bench/kernel-lab/matmul.ts to every lab variant
// (lab variants are experiments, not shipped; the shipped kernel is shaders/matmul.wgsl).
// Computes C = act(op(A) · op(B) + bias), op(A): M×K, op(B): K×N, C: M×N row-major.

override M: u32;                        // rows of op(A) and C
override N: u32;                        // columns of op(B) and C
override K: u32;                        // shared dimension
override TRANSPOSE_A: bool = false;     // buffer A holds K×M (else M×K)
override TRANSPOSE_B: bool = false;     // buffer B holds N×K (else K×N)
override HAS_BIAS: bool = false;        // add bias[n]; when false the bias buffer is a dummy
override ACTIVATION: u32 = 0u;          // 0 none, 1 relu, 2 leakyRelu, 3 sigmoid, 4 tanh
override LEAKY_SLOPE: f32 = 0.01;       // slope for x < 0 under leakyRelu
override WG_X: u32 = 8u;                // workgroup width
override WG_Y: u32 = 8u;                // workgroup height

// Scalar and vec4 views of the same bindings; each entry point uses one view per binding.
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(0) var<storage, read> a4: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(1) var<storage, read> b4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<storage, read_write> c4: array<vec4<f32>>;

// op(A)[m, k] and op(B)[k, n] through the scalar views.
fn op_a(m: u32, k: u32) -> f32 {
  if (TRANSPOSE_A) { return a[k * M + m]; }
  return a[m * K + k];
}
fn op_b(k: u32, n: u32) -> f32 {
  if (TRANSPOSE_B) { return b[n * K + k]; }
  return b[k * N + n];
}

fn activate(x: f32) -> f32 {
  switch ACTIVATION {
    case 1u: { return max(x, 0.0); }
    case 2u: { return select(x * LEAKY_SLOPE, x, x >= 0.0); }
    case 3u: {
      // exp of a non-positive number only: never overflows.
      let e = exp(-abs(x));
      return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
    }
    case 4u: {
      let e = exp(-2.0 * abs(x));
      return sign(x) * (1.0 - e) / (1.0 + e);
    }
    default: { return x; }
  }
}

// Bias and activation for one output value in column n.
fn finish(value: f32, n: u32) -> f32 {
  var v = value;
  if (HAS_BIAS) { v += bias[n]; }
  return activate(v);
}
