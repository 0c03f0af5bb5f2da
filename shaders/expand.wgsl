// Broadcast copy: out (the target shape) = source viewed in the target shape, times SCALE.
// Used for the gradients of sum and mean, and by broadcastTo.
//
// Host constants:
//   COUNT            elements of out
//   WORKGROUP_SIZE   threads per workgroup
//   ROW_STRIDE       invocations per row of the dispatch grid (grids spill into y past 65535 workgroups)
//   D0..D3           target shape, collapsed and padded on the left with 1s
//   S0..S3           element strides of the source in that shape, 0 along the axes it is broadcast on
//   SCALE            factor applied to every element (1/n for the gradient of a mean)

override COUNT: u32;
override WORKGROUP_SIZE: u32 = 256u;
override ROW_STRIDE: u32;
override D0: u32 = 1u;
override D1: u32 = 1u;
override D2: u32 = 1u;
override D3: u32 = 1u;
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
    let i3 = index % D3;
    var rest = index / D3;
    let i2 = rest % D2;
    rest = rest / D2;
    let i1 = rest % D1;
    let i0 = rest / D1;
    out[index] = source[i0 * S0 + i1 * S1 + i2 * S2 + i3 * S3] * SCALE;
  }
}
