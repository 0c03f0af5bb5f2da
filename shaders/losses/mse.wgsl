// Squared error (p - t)^2 between prediction p and target t, fused with its gradient.
//   d/dp = 2 (p - t),   d/dt = -2 (p - t)
//
// Library snippets (src/ops/losses/mse.ts appends them):
//   lib/elementwise-loss.wgsl  host constants, bindings and entry points (first input = prediction,
//                              second = target), which call the two functions below
//   lib/workgroup-sum.wgsl     the deterministic sum of its `loss` entry point

fn loss_term(p: f32, t: f32) -> f32 {
  let difference = p - t;
  return difference * difference;
}

fn loss_gradient(p: f32, t: f32) -> vec2f {
  let slope = 2.0 * (p - t);
  return vec2f(slope, -slope);
}
