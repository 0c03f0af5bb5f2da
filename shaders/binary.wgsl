// Elementwise out = a (op) b for add, sub, mul, div, with NumPy broadcasting.
//
// Host constants:
//   OP               which operation: BINARY_ADD, BINARY_SUB, BINARY_MUL or BINARY_DIV
//   COUNT            invocations needed: elements, or groups of 4 elements in the `*4` entry points
//   WORKGROUP_SIZE   threads per workgroup
//   ROW_STRIDE       invocations per row of the dispatch grid (grids spill into y past 65535 workgroups)
//   D0..D3           output shape, collapsed and padded on the left with 1s (broadcast entry points;
//                    declared by lib/broadcast-index.wgsl)
//   A0..A3, B0..B3   element strides of a and b in that shape, 0 along axes they are broadcast on
//
// Entry points: `same4` / `same` when a, b and out all have the output's size (4 or 1 element per
// invocation); `broadcast4` / `broadcast` otherwise (4 consecutive outputs along the last axis when D3
// is a multiple of 4).
//
// Codes (src/launch/binary.ts appends them as WGSL consts, from its BINARY_CODES): BINARY_ADD,
// BINARY_SUB, BINARY_MUL, BINARY_DIV.
//
// Library snippets (src/launch/binary.ts appends them):
//   lib/broadcast-index.wgsl   D0..D3 and broadcast_coordinates

override OP: u32 = BINARY_ADD;
override COUNT: u32;
override WORKGROUP_SIZE: u32 = 256u;
override ROW_STRIDE: u32;
override A0: u32 = 0u;
override A1: u32 = 0u;
override A2: u32 = 0u;
override A3: u32 = 0u;
override B0: u32 = 0u;
override B1: u32 = 0u;
override B2: u32 = 0u;
override B3: u32 = 0u;

// Scalar and vec4 views of the same bindings; each entry point uses one view per binding.
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(0) var<storage, read> a4: array<vec4f>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(1) var<storage, read> b4: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read_write> out4: array<vec4f>;

fn combine(x: vec4f, y: vec4f) -> vec4f {
  switch OP {
    case BINARY_SUB: { return x - y; }
    case BINARY_MUL: { return x * y; }
    case BINARY_DIV: { return x / y; }
    default: { return x + y; }   // BINARY_ADD
  }
}

// Offsets into a (x) and b (y) of the output element at `index`.
fn offsets(index: u32) -> vec2u {
  let at = broadcast_coordinates(index);
  return vec2u(dot(at, vec4u(A0, A1, A2, A3)), dot(at, vec4u(B0, B1, B2, B3)));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn same4(@builtin(global_invocation_id) id: vec3u) {
  let index = id.x + id.y * ROW_STRIDE;
  if (index < COUNT) {
    out4[index] = combine(a4[index], b4[index]);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn same(@builtin(global_invocation_id) id: vec3u) {
  let index = id.x + id.y * ROW_STRIDE;
  if (index < COUNT) {
    out[index] = combine(vec4f(a[index]), vec4f(b[index])).x;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn broadcast4(@builtin(global_invocation_id) id: vec3u) {
  let index = id.x + id.y * ROW_STRIDE;
  if (index < COUNT) {
    // The 4 outputs share a row, so their inputs are 4 steps of A3 (B3) apart: 1, or 0 when broadcast.
    let at = offsets(index * 4u);
    let x = vec4f(a[at.x], a[at.x + A3], a[at.x + 2u * A3], a[at.x + 3u * A3]);
    let y = vec4f(b[at.y], b[at.y + B3], b[at.y + 2u * B3], b[at.y + 3u * B3]);
    out4[index] = combine(x, y);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn broadcast(@builtin(global_invocation_id) id: vec3u) {
  let index = id.x + id.y * ROW_STRIDE;
  if (index < COUNT) {
    let at = offsets(index);
    out[index] = combine(vec4f(a[at.x]), vec4f(b[at.y])).x;
  }
}
