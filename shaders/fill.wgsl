// Sets every element of `output` to VALUE.
// Host constants: COUNT (elements), VALUE, WORKGROUP_SIZE; 2-D grids past 65535 workgroups use ROW_STRIDE.

override COUNT: u32;
override VALUE: f32;
override WORKGROUP_SIZE: u32 = 256u;
// Invocations per row of the dispatch grid (workgroups in x times WORKGROUP_SIZE).
override ROW_STRIDE: u32;

@group(0) @binding(0) var<storage, read_write> output: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let index = id.x + id.y * ROW_STRIDE;
  if (index < COUNT) {
    output[index] = VALUE;
  }
}
