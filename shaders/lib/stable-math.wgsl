// Library snippet (src/kernels/wgsl-library.ts appends it to the kernels that name it):
// sigmoid, stable_tanh, log1p and softplus on vec4f that do not overflow, the one implementation of each
// in the project (elementwise ops and the matmul epilogue alike). A scalar goes in as vec4f(x) and comes
// out as `.x`.

// 1 / (1 + e^-v), exponentiating only non-positive numbers, so it never overflows.
fn sigmoid(v: vec4f) -> vec4f {
  let e = exp(-abs(v));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), v >= vec4f(0.0));
}

// tanh(v) from e = e^-2|v| <= 1: never overflows, and computes the same on every driver, where the
// builtin tanh's accuracy is left loose by WGSL (and some drivers build it on an exp that overflows).
// Absolute error about 1e-7; like the builtin's, the relative error near 0 is large, as 1 - e cancels.
fn stable_tanh(v: vec4f) -> vec4f {
  let e = exp(-2.0 * abs(v));
  return sign(v) * (1.0 - e) / (1.0 + e);
}

// log(1 + z) for z in [0, 1] (WGSL has no log1p). Not log(1 + z): rounding 1 + z loses z's low bits,
// and WGSL's log is only absolutely accurate near 1. Instead 2·atanh(s) with s = z / (2 + z) <= 1/3,
// whose odd series 2s(1 + s²/3 + s⁴/5 + ...) reaches f32 precision by the s¹⁶ term.
fn log1p(z: vec4f) -> vec4f {
  let s = z / (2.0 + z);
  let s2 = s * s;
  var series = vec4f(1.0 / 17.0);
  series = series * s2 + 1.0 / 15.0;
  series = series * s2 + 1.0 / 13.0;
  series = series * s2 + 1.0 / 11.0;
  series = series * s2 + 1.0 / 9.0;
  series = series * s2 + 1.0 / 7.0;
  series = series * s2 + 1.0 / 5.0;
  series = series * s2 + 1.0 / 3.0;
  series = series * s2 + 1.0;
  return 2.0 * s * series;
}

// log(1 + e^v) as max(v, 0) + log1p(e^-|v|): no overflow, and accurate for very negative v.
// Its derivative is sigmoid(v).
fn softplus(v: vec4f) -> vec4f {
  return max(v, vec4f(0.0)) + log1p(exp(-abs(v)));
}
