// Library snippet (src/kernels/wgsl-library.ts appends it to the kernels that name it): where an output
// element sits in a broadcast layout (src/ops/broadcast.ts, broadcastLayout): the output shape with
// mergeable axes merged, padded on the left with 1s to 4 axes. An input's element offset is then
// dot(coordinates, that input's strides in the layout).
//
// Host constants (declared here):
//   D0..D3   the output shape in the layout

override D0: u32 = 1u;
override D1: u32 = 1u;
override D2: u32 = 1u;
override D3: u32 = 1u;

// The coordinates (i0, i1, i2, i3) of the output element at flat row-major `index`.
fn broadcast_coordinates(index: u32) -> vec4u {
  let i3 = index % D3;
  var rest = index / D3;
  let i2 = rest % D2;
  rest = rest / D2;
  let i1 = rest % D1;
  return vec4u(rest / D1, i1, i2, i3);
}
