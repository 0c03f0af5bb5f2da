// Library snippet (src/kernels/wgsl-library.ts appends it to the kernels that name it): the problem
// every matmul kernel solves, C = act(op(A) · op(B) + bias), as the host describes it, and its fused
// epilogue act(x + bias[n]). Expects from the kernel: `bias` (binding 2, array<f32>). The activation
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

// ---- the epilogue

fn activate(x: f32) -> f32 {
  switch ACTIVATION {
    case ACTIVATION_RELU: { return max(x, 0.0); }
    case ACTIVATION_LEAKY_RELU: { return select(x * LEAKY_SLOPE, x, x >= 0.0); }
    case ACTIVATION_SIGMOID: {
      // exp of a non-positive number only, so it never overflows.
      let e = exp(-abs(x));
      return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
    }
    case ACTIVATION_TANH: {
      // tanh from exp(-2|x|): no inf/inf for large |x|.
      let e = exp(-2.0 * abs(x));
      return sign(x) * (1.0 - e) / (1.0 + e);
    }
    default: { return x; }   // ACTIVATION_NONE
  }
}

// C[m, n] from its accumulated sum.
fn epilogue(sum: f32, n: u32) -> f32 {
  var v = sum;
  if (HAS_BIAS) { v += bias[n]; }
  return activate(v);
}

// C[m, n .. n + 3] from four accumulated sums. The bias stays a scalar view: without bias the host binds
// a 4-byte stand-in, too small for a vec4 view.
fn epilogue4(sums: vec4<f32>, n: u32) -> vec4<f32> {
  var v = sums;
  if (HAS_BIAS) { v += vec4<f32>(bias[n], bias[n + 1u], bias[n + 2u], bias[n + 3u]); }
  return vec4<f32>(activate(v.x), activate(v.y), activate(v.z), activate(v.w));
}
