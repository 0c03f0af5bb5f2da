// Moves one part of a concatenation. Every tensor is viewed as [outer, columns]: a part has INNER
// columns and sits at columns OFFSET.. of the whole, which has TOTAL columns.
//   `place`  part -> whole (forward; one dispatch per part)
//   `take`   whole -> part (the gradient of that part)
//
// Host constants:
//   INNER, TOTAL, OFFSET   the views above
//   COUNT                  elements of the part
//   WORKGROUP_SIZE         threads per workgroup
//   ROW_STRIDE             invocations per row of the dispatch grid (grids spill into y past 65535 workgroups)

override INNER: u32;
override TOTAL: u32;
override OFFSET: u32;
override COUNT: u32;
override WORKGROUP_SIZE: u32 = 256u;
override ROW_STRIDE: u32;

@group(0) @binding(0) var<storage, read> source: array<f32>;
@group(0) @binding(1) var<storage, read_write> destination: array<f32>;

fn whole_index(part_index: u32) -> u32 {
  return (part_index / INNER) * TOTAL + OFFSET + part_index % INNER;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn place(@builtin(global_invocation_id) id: vec3u) {
  let index = id.x + id.y * ROW_STRIDE;
  if (index < COUNT) {
    destination[whole_index(index)] = source[index];
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn take(@builtin(global_invocation_id) id: vec3u) {
  let index = id.x + id.y * ROW_STRIDE;
  if (index < COUNT) {
    destination[index] = source[whole_index(index)];
  }
}
