// A minibatch of images as f32 in [0, 1], from 8-bit images packed four to a u32.
//
//   `gather_images`  out[b, p] = byte (indices[b] * PIXELS + p) of `packed` / 255;
//                    a row of zeros when indices[b] >= IMAGES (never read out of bounds)
//
// Byte k of the image set sits in bits 8 * (k % 4) .. 8 * (k % 4) + 7 of packed[k / 4] (the bytes in
// file order, read as little-endian u32, which is how WebGPU sees a buffer). Images need not start
// on a word boundary, so any PIXELS works.
//
// Host constants:
//   IMAGES           images in the set
//   PIXELS           bytes per image (MNIST: 784)
//   COUNT            elements of out (batch size * PIXELS)
//   WORKGROUP_SIZE   threads per workgroup
//   ROW_STRIDE       invocations per row of the dispatch grid (grids spill into y past 65535 workgroups)

override IMAGES: u32;
override PIXELS: u32;
override COUNT: u32;
override WORKGROUP_SIZE: u32 = 256u;
override ROW_STRIDE: u32;

@group(0) @binding(0) var<storage, read> packed: array<u32>;
@group(0) @binding(1) var<storage, read> indices: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn gather_images(@builtin(global_invocation_id) id: vec3u) {
  let index = id.x + id.y * ROW_STRIDE;
  if (index >= COUNT) { return; }
  let image = indices[index / PIXELS];
  var value = 0.0;
  if (image < IMAGES) {
    let byte = image * PIXELS + index % PIXELS;
    value = f32(extractBits(packed[byte / 4u], 8u * (byte % 4u), 8u)) / 255.0;
  }
  out[index] = value;
}
