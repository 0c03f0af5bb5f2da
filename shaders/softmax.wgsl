// Softmax and log-softmax over the last axis of a [ROWS, COLUMNS] view, stable: each row's maximum is
// subtracted before exp. Backward: dx = y·(dy - Σ dy·y) for softmax, dx = dy - exp(y)·Σ dy for
// log-softmax (y the forward output).
//
// Host constants:
//   ROWS, COLUMNS    the view
//   LOG              true for log-softmax
//   WORKGROUP_SIZE   threads per workgroup; a power of two in the `*_tree` entry points
//   `*_serial` entry points (short rows): one invocation per row.
//     ROW_STRIDE     invocations per row of the dispatch grid (grids spill into y past 65535 workgroups)
//   `*_tree` entry points (long rows): one workgroup per row, reducing with a tree in workgroup memory.
//     GROUP_STRIDE   workgroups per row of the dispatch grid
//
// Library snippets (src/ops/softmax.ts appends them):
//   lib/workgroup-sum.wgsl   the row sums of the `*_tree` entry points

override ROWS: u32;
override COLUMNS: u32;
override LOG: bool = false;
override WORKGROUP_SIZE: u32 = 64u;
override ROW_STRIDE: u32 = 1u;
override GROUP_STRIDE: u32 = 1u;

// Forward binds (x, y); backward binds (y, dy, dx).
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;

var<workgroup> max_tree: array<f32, WORKGROUP_SIZE>;

// The output for one element, given its row's maximum and Σ exp(x - max).
fn finish(value: f32, row_max: f32, total: f32) -> f32 {
  if (LOG) { return value - row_max - log(total); }
  return exp(value - row_max) / total;
}

// The input gradient for one element, given its row's Σ dy·y (softmax) or Σ dy (log-softmax).
fn gradient(output: f32, grad: f32, dot: f32) -> f32 {
  if (LOG) { return grad - exp(output) * dot; }
  return output * (grad - dot);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn forward_serial(@builtin(global_invocation_id) id: vec3u) {
  let row = id.x + id.y * ROW_STRIDE;
  if (row >= ROWS) { return; }
  let start = row * COLUMNS;
  var row_max = x[start];
  for (var c = 1u; c < COLUMNS; c++) { row_max = max(row_max, x[start + c]); }
  var total = 0.0;
  for (var c = 0u; c < COLUMNS; c++) { total += exp(x[start + c] - row_max); }
  for (var c = 0u; c < COLUMNS; c++) { y[start + c] = finish(x[start + c], row_max, total); }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn backward_serial(@builtin(global_invocation_id) id: vec3u) {
  let row = id.x + id.y * ROW_STRIDE;
  if (row >= ROWS) { return; }
  let start = row * COLUMNS;
  var dot = 0.0;
  for (var c = 0u; c < COLUMNS; c++) {
    if (LOG) { dot += dy[start + c]; } else { dot += dy[start + c] * x[start + c]; }
  }
  for (var c = 0u; c < COLUMNS; c++) { dx[start + c] = gradient(x[start + c], dy[start + c], dot); }
}

// The maximum over the workgroup, by a tree like workgroup_sum's; every thread gets the result.
fn workgroup_max(value: f32, local: u32) -> f32 {
  max_tree[local] = value;
  workgroupBarrier();
  for (var width = WORKGROUP_SIZE / 2u; width > 0u; width /= 2u) {
    if (local < width) { max_tree[local] = max(max_tree[local], max_tree[local + width]); }
    workgroupBarrier();
  }
  let result = max_tree[0];
  workgroupBarrier(); // everyone has read max_tree[0] before it is reused
  return result;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn forward_tree(@builtin(workgroup_id) workgroup: vec3u, @builtin(local_invocation_index) local: u32) {
  let row = workgroup.x + workgroup.y * GROUP_STRIDE;
  if (row >= ROWS) { return; }
  let start = row * COLUMNS;
  // COLUMNS > WORKGROUP_SIZE here, so every thread has at least one element.
  var partial = x[start + local];
  for (var c = local + WORKGROUP_SIZE; c < COLUMNS; c += WORKGROUP_SIZE) { partial = max(partial, x[start + c]); }
  let row_max = workgroup_max(partial, local);
  partial = 0.0;
  for (var c = local; c < COLUMNS; c += WORKGROUP_SIZE) { partial += exp(x[start + c] - row_max); }
  let total = workgroup_sum(partial, local);
  for (var c = local; c < COLUMNS; c += WORKGROUP_SIZE) { y[start + c] = finish(x[start + c], row_max, total); }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn backward_tree(@builtin(workgroup_id) workgroup: vec3u, @builtin(local_invocation_index) local: u32) {
  let row = workgroup.x + workgroup.y * GROUP_STRIDE;
  if (row >= ROWS) { return; }
  let start = row * COLUMNS;
  var partial = 0.0;
  for (var c = local; c < COLUMNS; c += WORKGROUP_SIZE) {
    if (LOG) { partial += dy[start + c]; } else { partial += dy[start + c] * x[start + c]; }
  }
  let dot = workgroup_sum(partial, local);
  for (var c = local; c < COLUMNS; c += WORKGROUP_SIZE) { dx[start + c] = gradient(x[start + c], dy[start + c], dot); }
}
