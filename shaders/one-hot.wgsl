// out[b, k] = 1 when labels[b] == k, else 0; a label >= CLASSES gives a row of zeros.
//
// Host constants:
//   CLASSES          columns of out
//   COUNT            elements of out
//   WORKGROUP_SIZE   threads per workgroup
//   ROW_STRIDE       invocations per row of the dispatch grid (grids spill into y past 65535 workgroups)

override CLASSES: u32;
override COUNT: u32;
override WORKGROUP_SIZE: u32 = 256u;
override ROW_STRIDE: u32;

@group(0) @binding(0) var<storage, read> labels: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let index = id.x + id.y * ROW_STRIDE;
  if (index < COUNT) {
    out[index] = select(0.0, 1.0, labels[index / CLASSES] == index % CLASSES);
  }
}
