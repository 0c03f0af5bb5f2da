// Counts the elements of `input` outside an op's domain, into flags[SLOT], so that the engine can
// report "log of a negative number" at its next read instead of letting NaN spread silently.
// Host constants: COUNT, SLOT, DOMAIN, WORKGROUP_SIZE, ROW_STRIDE.
// Codes (src/device/numerics-guard.ts appends them as WGSL consts, from its DOMAIN_CODES): the DOMAIN
// to check, DOMAIN_NON_NEGATIVE (x >= 0: log, sqrt), DOMAIN_NON_ZERO (x != 0 and finite: division),
// DOMAIN_FINITE.

override COUNT: u32;
override SLOT: u32;
override DOMAIN: u32;
override WORKGROUP_SIZE: u32 = 256u;
override ROW_STRIDE: u32;

@group(0) @binding(0) var<storage, read> input: array<f32>;
@group(0) @binding(1) var<storage, read_write> flags: array<atomic<u32>>;

fn is_finite(x: f32) -> bool {
  // NaN fails every comparison; infinities are past the largest finite f32.
  return abs(x) <= 3.4028234e38;
}

fn in_domain(x: f32) -> bool {
  switch DOMAIN {
    case DOMAIN_NON_NEGATIVE: { return x >= 0.0; }
    case DOMAIN_NON_ZERO: { return x != 0.0 && is_finite(x); }
    default: { return is_finite(x); }   // DOMAIN_FINITE
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let index = id.x + id.y * ROW_STRIDE;
  if (index < COUNT && !in_domain(input[index])) {
    atomicAdd(&flags[SLOT], 1u);
  }
}
