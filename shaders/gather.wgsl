// Row gathers from a [ROWS, COLUMNS] table by u32 indices, and their deterministic gradient.
//
//   `gather`   out[b, c] = table[indices[b], c]; a row of zeros when indices[b] >= ROWS (never read out of bounds)
//   `find_links` for each b: links[b] = the next b' > b with the same index (BATCH when none), and
//              links[BATCH + b] = 1 when b is the first with its index, else 0
//   `scatter`  for each first occurrence b: grad_table[indices[b], c] = Σ dy[b', c] over b' with that
//              index, in increasing b' (following the links), so the sum has a fixed order; the
//              table gradient is zeroed beforehand, and out-of-range indices add nothing.
//
// Host constants:
//   ROWS, COLUMNS    the table
//   BATCH            number of indices
//   COUNT            invocations needed (BATCH * COLUMNS, or BATCH for `links`)
//   WORKGROUP_SIZE   threads per workgroup
//   ROW_STRIDE       invocations per row of the dispatch grid (grids spill into y past 65535 workgroups)

override ROWS: u32;
override COLUMNS: u32;
override BATCH: u32;
override COUNT: u32;
override WORKGROUP_SIZE: u32 = 256u;
override ROW_STRIDE: u32;

// gather binds (table, indices, out); find_links binds (indices, links); scatter binds (dy, indices, links, grad_table).
@group(0) @binding(0) var<storage, read> table: array<f32>;
@group(0) @binding(0) var<storage, read> link_indices: array<u32>;
@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> indices: array<u32>;
@group(0) @binding(1) var<storage, read_write> links_out: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> links: array<u32>;
@group(0) @binding(3) var<storage, read_write> grad_table: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn gather(@builtin(global_invocation_id) id: vec3u) {
  let index = id.x + id.y * ROW_STRIDE;
  if (index >= COUNT) { return; }
  let row = indices[index / COLUMNS];
  var value = 0.0;
  if (row < ROWS) {
    value = table[row * COLUMNS + index % COLUMNS];
  }
  out[index] = value;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn find_links(@builtin(global_invocation_id) id: vec3u) {
  let b = id.x + id.y * ROW_STRIDE;
  if (b >= COUNT) { return; }
  let row = link_indices[b];
  var first = 1u;
  for (var earlier = 0u; earlier < b; earlier++) {
    if (link_indices[earlier] == row) {
      first = 0u;
      break;
    }
  }
  var next = BATCH;
  for (var later = b + 1u; later < BATCH; later++) {
    if (link_indices[later] == row) {
      next = later;
      break;
    }
  }
  links_out[b] = next;
  links_out[BATCH + b] = first;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn scatter(@builtin(global_invocation_id) id: vec3u) {
  let index = id.x + id.y * ROW_STRIDE;
  if (index >= COUNT) { return; }
  let b = index / COLUMNS;
  let column = index % COLUMNS;
  let row = indices[b];
  if (row >= ROWS || links[BATCH + b] == 0u) { return; }
  var total = dy[index];
  for (var next = links[b]; next < BATCH; next = links[next]) {
    total += dy[next * COLUMNS + column];
  }
  grad_table[row * COLUMNS + column] = total;
}
