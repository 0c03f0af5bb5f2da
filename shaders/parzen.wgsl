// The Parzen-window log-likelihood, one tile of test points × samples at a time, for several kernel
// widths at once (the distances do not depend on σ):
//   log p(x_i) = log (1/m) Σ_j N(x_i | s_j, σ² I),   -||x_i - s_j||² / 2σ² the exponent of each term.
// The squared distances come from a matmul, ||x||² - 2 x·s + ||s||² (clamped at 0 against rounding).
// Every test point keeps, per σ, a running maximum exponent and a running Σ exp(exponent - maximum) across
// the sample tiles: a stable log-sum-exp in one pass.
//
//   `accumulate`  folds one tile into the running state; one invocation per (σ, test point of the tile)
//   `finish`      log p(x_i) = maximum + log(sum) + log_normalizers[σ], one invocation per (σ, test point)
//
// Host constants:
//   TEST_POINTS       test points in all (the state is [SIGMAS, TEST_POINTS])
//   SIGMAS            kernel widths evaluated together
//   TILE_ROWS, TILE_COLUMNS   the tile: cross [TILE_ROWS, TILE_COLUMNS] = test rows · sample rowsᵀ
//   TEST_OFFSET, SAMPLE_OFFSET   where the tile starts in the test points and in the samples
//   COUNT             invocations needed (SIGMAS · TILE_ROWS for accumulate, SIGMAS · TEST_POINTS for finish)
//   WORKGROUP_SIZE, ROW_STRIDE   the launch (grids spill into y past 65535 workgroups)

override TEST_POINTS: u32;
override SIGMAS: u32;
override TILE_ROWS: u32 = 1u;
override TILE_COLUMNS: u32 = 1u;
override TEST_OFFSET: u32 = 0u;
override SAMPLE_OFFSET: u32 = 0u;
override COUNT: u32;
override WORKGROUP_SIZE: u32 = 64u;
override ROW_STRIDE: u32;

// accumulate binds (cross, test_norms, sample_norms, inverse_two_variances, running_max, running_sum);
// finish binds (running_max, running_sum, log_normalizers, log_density).
@group(0) @binding(0) var<storage, read> cross: array<f32>;
@group(0) @binding(1) var<storage, read> test_norms: array<f32>;
@group(0) @binding(2) var<storage, read> sample_norms: array<f32>;
@group(0) @binding(3) var<storage, read> inverse_two_variances: array<f32>;
@group(0) @binding(4) var<storage, read_write> running_max: array<f32>;
@group(0) @binding(5) var<storage, read_write> running_sum: array<f32>;

@group(0) @binding(0) var<storage, read> final_max: array<f32>;
@group(0) @binding(1) var<storage, read> final_sum: array<f32>;
@group(0) @binding(2) var<storage, read> log_normalizers: array<f32>;
@group(0) @binding(3) var<storage, read_write> log_density: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn accumulate(@builtin(global_invocation_id) id: vec3u) {
  let index = id.x + id.y * ROW_STRIDE;
  if (index >= COUNT) { return; }
  let sigma = index / TILE_ROWS;
  let row = index % TILE_ROWS;
  let point = TEST_OFFSET + row;
  let state = sigma * TEST_POINTS + point;
  let scale = inverse_two_variances[sigma];
  let own_norm = test_norms[point];
  var largest = running_max[state];
  var total = running_sum[state];
  for (var column = 0u; column < TILE_COLUMNS; column++) {
    let distance = max(own_norm - 2.0 * cross[row * TILE_COLUMNS + column] + sample_norms[SAMPLE_OFFSET + column], 0.0);
    let exponent = -distance * scale;
    if (exponent > largest) {
      total = total * exp(largest - exponent) + 1.0;
      largest = exponent;
    } else {
      total += exp(exponent - largest);
    }
  }
  running_max[state] = largest;
  running_sum[state] = total;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn finish(@builtin(global_invocation_id) id: vec3u) {
  let index = id.x + id.y * ROW_STRIDE;
  if (index >= COUNT) { return; }
  log_density[index] = final_max[index] + log(final_sum[index]) + log_normalizers[index / TEST_POINTS];
}
