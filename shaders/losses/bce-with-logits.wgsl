// Binary cross-entropy on logits x against targets t in [0, 1], fused with its gradient.
//   loss(x, t) = softplus(x) - x*t = max(x, 0) - x*t + log1p(exp(-|x|))   (never exponentiates a positive number)
//   d/dx = sigmoid(x) - t,   d/dt = -x
//
// Library snippets (src/ops/losses/bce-with-logits.ts appends them):
//   lib/stable-math.wgsl       sigmoid, softplus
//   lib/elementwise-loss.wgsl  host constants, bindings and entry points (first input = logits,
//                              second = targets), which call the two functions below
//   lib/workgroup-sum.wgsl     the deterministic sum of its `loss` entry point

fn loss_term(x: f32, t: f32) -> f32 {
  return softplus(vec4f(x)).x - x * t;
}

fn loss_gradient(x: f32, t: f32) -> vec2f {
  return vec2f(sigmoid(vec4f(x)).x - t, -x);
}
