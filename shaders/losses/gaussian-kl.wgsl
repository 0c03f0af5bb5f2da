// KL(N(mu, exp(logvar)) || N(0, 1)) per element, fused with its gradient:
//   kl(mu, l) = 0.5 (mu^2 + exp(l) - 1 - l)
//   d/dmu = mu,   d/dl = 0.5 (exp(l) - 1)
// exp(l) - 1 - l cancels badly near l = 0, where its series is used instead.
//
// Library snippets (src/ops/losses/gaussian-kl.ts appends them):
//   lib/elementwise-loss.wgsl  host constants, bindings and entry points (first input = mu,
//                              second = logvar), which call loss_term and loss_gradient below
//   lib/workgroup-sum.wgsl     the deterministic sum of its `loss` entry point

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

fn loss_term(mu: f32, logvar: f32) -> f32 {
  return 0.5 * (mu * mu + exp_minus_one_minus(logvar));
}

fn loss_gradient(mu: f32, logvar: f32) -> vec2f {
  return vec2f(mu, 0.5 * exp_minus_one(logvar));
}
