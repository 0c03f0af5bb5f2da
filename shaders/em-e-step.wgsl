// The E-step of a Gaussian mixture: for each point x_i and component c the log-joint
//   log w_c + log N(x_i | μ_c, Σ_c) = log_constants[c] - ½ ||W_c (x_i - μ_c)||²,
// then a stable log-sum-exp over the components (the component maximum is subtracted before exp),
// giving log p(x_i) and the responsibilities r_ic = exp(log-joint - log p(x_i)).
//
// W_c whitens component c; the host computes it (uploadMixture, src/gmm/mixture.ts), with
// log_constants[c] = log w_c - ½ D log 2π - ½ log det Σ_c:
//   FULL = false  whitening [K, D]: 1/σ_cd, per coordinate (diagonal covariance)
//   FULL = true   whitening [K, D, D]: L_c⁻¹, the inverse of the lower Cholesky factor of Σ_c (row-major,
//                 lower triangular): ||L_c⁻¹ (x - μ_c)||² is the Mahalanobis distance
//
// Host constants:
//   POINTS, DIMENSION, COMPONENTS   the shapes: data [POINTS, DIMENSION], means [COMPONENTS, DIMENSION]
//   FULL                            which whitening layout (above)
//   WORKGROUP_SIZE                  threads per workgroup; one invocation per point
//   ROW_STRIDE                      invocations per row of the dispatch grid (grids spill into y past 65535 workgroups)

override POINTS: u32;
override DIMENSION: u32;
override COMPONENTS: u32;
override FULL: bool = false;
override WORKGROUP_SIZE: u32 = 64u;
override ROW_STRIDE: u32;

@group(0) @binding(0) var<storage, read> data: array<f32>;
@group(0) @binding(1) var<storage, read> means: array<f32>;
@group(0) @binding(2) var<storage, read> whitening: array<f32>;
@group(0) @binding(3) var<storage, read> log_constants: array<f32>;
@group(0) @binding(4) var<storage, read_write> responsibilities: array<f32>;
@group(0) @binding(5) var<storage, read_write> log_density: array<f32>;

// ||W_c (x_i - μ_c)||². The full case recomputes the differences inside each row of L⁻¹ instead of
// keeping them: WGSL private arrays cannot be sized by an override constant.
fn squared_mahalanobis(point: u32, component: u32) -> f32 {
  let x = point * DIMENSION;
  let mu = component * DIMENSION;
  var total = 0.0;
  if (FULL) {
    let factor = component * DIMENSION * DIMENSION;
    for (var row = 0u; row < DIMENSION; row++) {
      var whitened = 0.0;
      for (var col = 0u; col <= row; col++) {
        whitened += whitening[factor + row * DIMENSION + col] * (data[x + col] - means[mu + col]);
      }
      total += whitened * whitened;
    }
  } else {
    for (var col = 0u; col < DIMENSION; col++) {
      let whitened = whitening[mu + col] * (data[x + col] - means[mu + col]);
      total += whitened * whitened;
    }
  }
  return total;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn e_step(@builtin(global_invocation_id) id: vec3u) {
  let point = id.x + id.y * ROW_STRIDE;
  if (point >= POINTS) { return; }
  let row = point * COMPONENTS;
  // The log-joints are parked in the responsibilities row, then turned into probabilities in place.
  var largest = -3.0e38;
  for (var c = 0u; c < COMPONENTS; c++) {
    let log_joint = log_constants[c] - 0.5 * squared_mahalanobis(point, c);
    responsibilities[row + c] = log_joint;
    largest = max(largest, log_joint);
  }
  var total = 0.0;
  for (var c = 0u; c < COMPONENTS; c++) { total += exp(responsibilities[row + c] - largest); }
  let log_total = largest + log(total);
  for (var c = 0u; c < COMPONENTS; c++) { responsibilities[row + c] = exp(responsibilities[row + c] - log_total); }
  log_density[point] = log_total;
}
