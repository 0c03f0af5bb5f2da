// Sum and max along one axis of a tensor viewed as [outer, AXIS, INNER]; a full reduction is the view
// [1, n, 1]. Every result is combined in a fixed order, so results repeat exactly from run to run.
//
// Host constants:
//   SCALE            multiplies each sum (1/n in a mean's last pass, else 1)
//   WORKGROUP_SIZE   threads per workgroup; a power of two in the `*_segments` entry points
//
//   `*_segments` (contiguous rows, INNER = 1): one workgroup reduces one segment of one row with a tree.
//     ROW_LEN        elements per row
//     SEGMENT_LEN    elements per segment (the last segment of a row may be shorter)
//     SEGMENTS       segments per row; a row split into several needs a second pass over the partials
//     GROUPS         workgroups needed (rows * SEGMENTS)
//     GROUP_STRIDE   workgroups per row of the dispatch grid (grids spill into y past 65535 workgroups)
//   `*_columns` (any INNER, short axes): one invocation per output element walks down the axis.
//     AXIS, INNER    the view's middle and last dimensions
//     COUNT          outputs (outer * INNER)
//     ROW_STRIDE     invocations per row of the dispatch grid
//
// Max entry points write the index along the axis (within the row for segments) of the first maximum.
// Bindings: sum_* (x, out); max_segments and max_columns (x, x again, values, positions);
// max_pairs_segments (values, positions, values out, positions out); max_backward (positions, dy, dx).
//
// Library snippets (src/ops/reduce.ts appends them):
//   lib/workgroup-sum.wgsl   the tree of sum_segments

override SCALE: f32 = 1.0;
override WORKGROUP_SIZE: u32 = 64u;
override ROW_LEN: u32 = 1u;
override SEGMENT_LEN: u32 = 1u;
override SEGMENTS: u32 = 1u;
override GROUPS: u32 = 1u;
override GROUP_STRIDE: u32 = 1u;
override AXIS: u32 = 1u;
override INNER: u32 = 1u;
override COUNT: u32 = 1u;
override ROW_STRIDE: u32 = 1u;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(0) var<storage, read> max_positions: array<u32>;   // max_backward only
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> positions_in: array<u32>;    // max_pairs_segments only
@group(0) @binding(1) var<storage, read> grad_out: array<f32>;        // max_backward only
@group(0) @binding(2) var<storage, read_write> out_values: array<f32>;
@group(0) @binding(2) var<storage, read_write> grad_in: array<f32>;   // max_backward only
@group(0) @binding(3) var<storage, read_write> out_positions: array<u32>;

// max_tree's (value, position) pairs.
var<workgroup> tree_values: array<f32, WORKGROUP_SIZE>;
var<workgroup> tree_positions: array<u32, WORKGROUP_SIZE>;

// The first element and the end (exclusive) of workgroup `group`'s segment.
fn segment_bounds(group: u32) -> vec2u {
  let row = group / SEGMENTS;
  let segment = group % SEGMENTS;
  let start = row * ROW_LEN + segment * SEGMENT_LEN;
  let end = row * ROW_LEN + min((segment + 1u) * SEGMENT_LEN, ROW_LEN);
  return vec2u(start, end);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn sum_segments(@builtin(workgroup_id) workgroup: vec3u, @builtin(local_invocation_index) local: u32) {
  let group = workgroup.x + workgroup.y * GROUP_STRIDE;
  if (group >= GROUPS) { return; }
  let bounds = segment_bounds(group);
  var value = 0.0;
  for (var i = bounds.x + local; i < bounds.y; i += WORKGROUP_SIZE) {
    value += x[i];
  }
  let total = workgroup_sum(value, local);
  if (local == 0u) {
    out[group] = total * SCALE;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn sum_columns(@builtin(global_invocation_id) id: vec3u) {
  let index = id.x + id.y * ROW_STRIDE;
  if (index >= COUNT) { return; }
  var at = (index / INNER) * AXIS * INNER + index % INNER;
  var value = x[at];
  for (var k = 1u; k < AXIS; k++) {
    at += INNER;
    value += x[at];
  }
  out[index] = value * SCALE;
}

// Keeps the larger value; on ties the smaller position, so the first maximum wins.
fn better(value: f32, position: u32, than_value: f32, than_position: u32) -> bool {
  return value > than_value || (value == than_value && position < than_position);
}

fn max_tree(local: u32, start_value: f32, start_position: u32, group: u32) {
  tree_values[local] = start_value;
  tree_positions[local] = start_position;
  workgroupBarrier();
  for (var width = WORKGROUP_SIZE / 2u; width > 0u; width /= 2u) {
    if (local < width && better(tree_values[local + width], tree_positions[local + width], tree_values[local], tree_positions[local])) {
      tree_values[local] = tree_values[local + width];
      tree_positions[local] = tree_positions[local + width];
    }
    workgroupBarrier();
  }
  if (local == 0u) {
    out_values[group] = tree_values[0];
    out_positions[group] = tree_positions[0];
  }
}

// First pass of max: x's elements, positions counted from the start of the row.
@compute @workgroup_size(WORKGROUP_SIZE)
fn max_segments(@builtin(workgroup_id) workgroup: vec3u, @builtin(local_invocation_index) local: u32) {
  let group = workgroup.x + workgroup.y * GROUP_STRIDE;
  if (group >= GROUPS) { return; }
  let bounds = segment_bounds(group);
  let row_start = (group / SEGMENTS) * ROW_LEN;
  // Threads past the segment's end start from its first element, which cannot displace the first maximum.
  let at = min(bounds.x + local, bounds.y - 1u);
  var best = x[at];
  var best_at = at;
  for (var i = bounds.x + local + WORKGROUP_SIZE; i < bounds.y; i += WORKGROUP_SIZE) {
    if (x[i] > best) {
      best = x[i];
      best_at = i;
    }
  }
  max_tree(local, best, best_at - row_start, group);
}

// Second pass of max: (value, position) pairs from the first pass, one row of SEGMENTS per output.
@compute @workgroup_size(WORKGROUP_SIZE)
fn max_pairs_segments(@builtin(workgroup_id) workgroup: vec3u, @builtin(local_invocation_index) local: u32) {
  let group = workgroup.x + workgroup.y * GROUP_STRIDE;
  if (group >= GROUPS) { return; }
  let bounds = segment_bounds(group);
  let at = min(bounds.x + local, bounds.y - 1u);
  var best = x[at];
  var best_position = positions_in[at];
  for (var i = bounds.x + local + WORKGROUP_SIZE; i < bounds.y; i += WORKGROUP_SIZE) {
    if (better(x[i], positions_in[i], best, best_position)) {
      best = x[i];
      best_position = positions_in[i];
    }
  }
  max_tree(local, best, best_position, group);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn max_columns(@builtin(global_invocation_id) id: vec3u) {
  let index = id.x + id.y * ROW_STRIDE;
  if (index >= COUNT) { return; }
  var at = (index / INNER) * AXIS * INNER + index % INNER;
  var best = x[at];
  var best_position = 0u;
  for (var k = 1u; k < AXIS; k++) {
    at += INNER;
    if (x[at] > best) {
      best = x[at];
      best_position = k;
    }
  }
  out_values[index] = best;
  out_positions[index] = best_position;
}

// Gradient of max: each input element of the [outer, AXIS, INNER] view gets its output's gradient if it
// is the recorded maximum, else 0. COUNT here is the number of input elements.
@compute @workgroup_size(WORKGROUP_SIZE)
fn max_backward(@builtin(global_invocation_id) id: vec3u) {
  let index = id.x + id.y * ROW_STRIDE;
  if (index >= COUNT) { return; }
  let inner = index % INNER;
  let k = (index / INNER) % AXIS;
  let output = (index / (AXIS * INNER)) * INNER + inner;
  grad_in[index] = select(0.0, grad_out[output], max_positions[output] == k);
}
