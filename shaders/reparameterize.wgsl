// The reparameterization trick: z = mu + exp(0.5 * logvar) * eps, with its gradient
//   dmu = g,   dlogvar = 0.5 * g * exp(0.5 * logvar) * eps,   deps = g * exp(0.5 * logvar).
// Entry points (one invocation per element): `forward`, `gradient` (mu and logvar), `gradient_noise` (eps).
// Host constants:
override COUNT: u32;                   // elements in each tensor
override WORKGROUP_SIZE: u32 = 256u;
override ROW_STRIDE: u32;              // invocations per row of the dispatch grid

@group(0) @binding(0) var<storage, read> mu: array<f32>;
@group(0) @binding(1) var<storage, read> logvar: array<f32>;
@group(0) @binding(2) var<storage, read> noise: array<f32>;
// `forward`:
@group(0) @binding(3) var<storage, read_write> z: array<f32>;
// `gradient`, `gradient_noise`:
@group(0) @binding(3) var<storage, read> grad_z: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad_mu: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad_noise: array<f32>;
@group(0) @binding(5) var<storage, read_write> grad_logvar: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn forward(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x + id.y * ROW_STRIDE;
  if (i < COUNT) {
    z[i] = mu[i] + exp(0.5 * logvar[i]) * noise[i];
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn gradient(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x + id.y * ROW_STRIDE;
  if (i < COUNT) {
    let g = grad_z[i];
    grad_mu[i] = g;
    grad_logvar[i] = 0.5 * g * exp(0.5 * logvar[i]) * noise[i];
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn gradient_noise(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x + id.y * ROW_STRIDE;
  if (i < COUNT) {
    grad_noise[i] = grad_z[i] * exp(0.5 * logvar[i]);
  }
}
