// Broadcast copy: out (the target shape) = source viewed in the target shape, times SCALE.
// Used for the gradients of sum and mean, and by broadcastTo.
//
// Host constants:
//   COUNT            elements of out
//   WORKGROUP_SIZE   threads per workgroup
//   ROW_STRIDE       invocations per row of the dispatch grid (grids spill into y past 65535 workgroups)
//   D0..D3           target shape, collapsed and padded on the left with 1s (declared by
//                    lib/broadcast-index.wgsl)
//   S0..S3           element strides of the source in that shape, 0 along the axes it is broadcast on
//   SCALE            factor applied to every element (1/n for the gradient of a mean)
//
// Library snippets (src/ops/broadcast.ts appends them):
//   lib/broadcast-index.wgsl   D0..D3 and broadcast_coordinates

override COUNT: u32;
override WORKGROUP_SIZE: u32 = 256u;
override ROW_STRIDE: u32;
override S0: u32 = 0u;
override S1: u32 = 0u;
override S2: u32 = 0u;
override S3: u32 = 0u;
override SCALE: f32 = 1.0;

@group(0) @binding(0) var<storage, read> source: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let index = id.x + id.y * ROW_STRIDE;
  if (index < COUNT) {
    out[index] = source[dot(broadcast_coordinates(index), vec4u(S0, S1, S2, S3))] * SCALE;
  }
}
