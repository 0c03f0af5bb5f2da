// Rows of the data weighted by each component's responsibilities, laid side by side, so that one
// matmul Zᵀ·X gives every component's weighted second moments Σ_i r_ic x_i x_iᵀ (the M-step of a
// full-covariance Gaussian mixture):
//   weighted[i, c' * DIMENSION + a] = responsibilities[i, FIRST_COMPONENT + c'] * data[i, a]
// for c' < BLOCK_COMPONENTS (a block of components, so that Z stays within a binding's size limit).
//
// Host constants:
//   POINTS, DIMENSION, COMPONENTS   data [POINTS, DIMENSION], responsibilities [POINTS, COMPONENTS]
//   FIRST_COMPONENT, BLOCK_COMPONENTS   the block of components written
//   COUNT                           POINTS * BLOCK_COMPONENTS * DIMENSION, one invocation per output element
//   WORKGROUP_SIZE, ROW_STRIDE      the launch (grids spill into y past 65535 workgroups)

override POINTS: u32;
override DIMENSION: u32;
override COMPONENTS: u32;
override FIRST_COMPONENT: u32 = 0u;
override BLOCK_COMPONENTS: u32;
override COUNT: u32;
override WORKGROUP_SIZE: u32 = 256u;
override ROW_STRIDE: u32;

@group(0) @binding(0) var<storage, read> data: array<f32>;
@group(0) @binding(1) var<storage, read> responsibilities: array<f32>;
@group(0) @binding(2) var<storage, read_write> weighted: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn weighted_rows(@builtin(global_invocation_id) id: vec3u) {
  let index = id.x + id.y * ROW_STRIDE;
  if (index >= COUNT) { return; }
  let width = BLOCK_COMPONENTS * DIMENSION;
  let point = index / width;
  let column = index % width;
  let component = FIRST_COMPONENT + column / DIMENSION;
  weighted[index] = responsibilities[point * COMPONENTS + component] * data[point * DIMENSION + column % DIMENSION];
}
