// Philox4x32-10 (Salmon, Moraes, Dror, Shaw: "Parallel random numbers: as easy as 1, 2, 3", SC 2011), a
// counter-based generator: block i of a stream is philox(counter = (offset + i) as 64 bits, 0, 0; key),
// four independent 32-bit words, so any invocation can make its own numbers with no state to carry.
// The stream's key and 64-bit block offset come in a uniform block the host refills for every draw
// (and before every replay of a captured step), which is how replays get fresh numbers.
// Entry points (one Philox block per invocation):
//   `sample_uniform`            4 values in [LOW, HIGH)
//   `sample_normal`             4 values N(MEAN, STD^2) by Box-Muller on two pairs of words
//   `sample_bernoulli_tensor`   4 values 1.0 with probability p[i] (a tensor), else 0.0
//   `sample_bernoulli_scalar`   4 values 1.0 with probability PROBABILITY, else 0.0
//   `sample_categorical`        one row of probabilities [ROWS, CLASSES] per invocation -> a u32 class index
//   `philox_blocks`             raw Philox of given (counter, key) rows [n, 6] -> [n, 4], for
//                               known-answer tests (binding 0 is then an unused, zeroed block)
// Host constants:
override COUNT: u32;                   // values to write (rows for `sample_categorical`, blocks for `philox_blocks`)
override WORKGROUP_SIZE: u32 = 64u;
override ROW_STRIDE: u32;              // invocations per row of the dispatch grid
override LOW: f32 = 0.0;               // `sample_uniform`
override HIGH: f32 = 1.0;              // `sample_uniform`
override MEAN: f32 = 0.0;              // `sample_normal`
override STD: f32 = 1.0;               // `sample_normal`
override PROBABILITY: f32 = 0.5;       // `sample_bernoulli_scalar`
override CLASSES: u32 = 1u;            // `sample_categorical`

struct Stream {
  key: vec2u,
  // The first block's counter, a 64-bit number: (low word, high word).
  offset: vec2u,
}

@group(0) @binding(0) var<uniform> stream: Stream;
// `sample_uniform`, `sample_normal`, `sample_bernoulli_scalar`:
@group(0) @binding(1) var<storage, read_write> values: array<f32>;
// `sample_bernoulli_tensor`, `sample_categorical`, `philox_blocks`:
@group(0) @binding(1) var<storage, read> probabilities: array<f32>;
@group(0) @binding(1) var<storage, read> philox_inputs: array<u32>;
@group(0) @binding(2) var<storage, read_write> samples: array<f32>;
@group(0) @binding(2) var<storage, read_write> integers: array<u32>;

const PHILOX_M0: u32 = 0xD2511F53u;
const PHILOX_M1: u32 = 0xCD9E8D57u;
const PHILOX_W0: u32 = 0x9E3779B9u;
const PHILOX_W1: u32 = 0xBB67AE85u;
const TWO_PI: f32 = 6.283185307179586;
// 2^-24: a word's top 24 bits become an f32 in [0, 1) exactly.
const UNIT: f32 = 5.9604644775390625e-8;

// The 64-bit product a * b as (high word, low word), from 16-bit halves (WGSL has no 64-bit integers).
fn multiply_wide(a: u32, b: u32) -> vec2u {
  let a_low = a & 0xffffu;
  let a_high = a >> 16u;
  let b_low = b & 0xffffu;
  let b_high = b >> 16u;
  let low_low = a_low * b_low;
  let high_low = a_high * b_low;
  let low_high = a_low * b_high;
  let middle = (low_low >> 16u) + (high_low & 0xffffu) + (low_high & 0xffffu);
  let high = a_high * b_high + (high_low >> 16u) + (low_high >> 16u) + (middle >> 16u);
  return vec2u(high, a * b);
}

fn philox(counter: vec4u, key: vec2u) -> vec4u {
  var c = counter;
  var k = key;
  for (var pass_index = 0u; pass_index < 10u; pass_index++) {
    let product0 = multiply_wide(PHILOX_M0, c.x);
    let product1 = multiply_wide(PHILOX_M1, c.z);
    c = vec4u(product1.x ^ c.y ^ k.x, product1.y, product0.x ^ c.w ^ k.y, product0.y);
    k += vec2u(PHILOX_W0, PHILOX_W1);
  }
  return c;
}

// Block `index` of the stream.
fn stream_block(index: u32) -> vec4u {
  let low = stream.offset.x + index;
  let carry = select(0u, 1u, low < index);
  return philox(vec4u(low, stream.offset.y + carry, 0u, 0u), stream.key);
}

// Four uniforms in [0, 1) from the words' top 24 bits.
fn to_unit(words: vec4u) -> vec4f {
  return vec4f(words >> vec4u(8u)) * UNIT;
}

fn invocation_index(id: vec3u) -> u32 {
  return id.x + id.y * ROW_STRIDE;
}

fn write_four(block: u32, four: vec4f) {
  let first = block * 4u;
  for (var j = 0u; j < 4u; j++) {
    if (first + j < COUNT) {
      values[first + j] = four[j];
    }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn sample_uniform(@builtin(global_invocation_id) id: vec3u) {
  let block = invocation_index(id);
  if (block * 4u >= COUNT) {
    return;
  }
  let unit = to_unit(stream_block(block));
  write_four(block, LOW + (HIGH - LOW) * unit);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn sample_normal(@builtin(global_invocation_id) id: vec3u) {
  let block = invocation_index(id);
  if (block * 4u >= COUNT) {
    return;
  }
  let words = stream_block(block);
  // The radius needs u in (0, 1] (log 0 is -inf); the angle takes [0, 1).
  let radius_unit = (vec2f(words.xz >> vec2u(8u)) + 1.0) * UNIT;
  let angle = vec2f(words.yw >> vec2u(8u)) * UNIT * TWO_PI;
  let radius = sqrt(-2.0 * log(radius_unit));
  let standard = vec4f(radius.x * cos(angle.x), radius.x * sin(angle.x), radius.y * cos(angle.y), radius.y * sin(angle.y));
  write_four(block, MEAN + STD * standard);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn sample_bernoulli_scalar(@builtin(global_invocation_id) id: vec3u) {
  let block = invocation_index(id);
  if (block * 4u >= COUNT) {
    return;
  }
  let unit = to_unit(stream_block(block));
  write_four(block, select(vec4f(0.0), vec4f(1.0), unit < vec4f(PROBABILITY)));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn sample_bernoulli_tensor(@builtin(global_invocation_id) id: vec3u) {
  let block = invocation_index(id);
  if (block * 4u >= COUNT) {
    return;
  }
  let unit = to_unit(stream_block(block));
  let first = block * 4u;
  for (var j = 0u; j < 4u; j++) {
    if (first + j < COUNT) {
      samples[first + j] = select(0.0, 1.0, unit[j] < probabilities[first + j]);
    }
  }
}

// Inverse-CDF sampling of one row; the probabilities need not sum to 1 (they are scaled by their total).
@compute @workgroup_size(WORKGROUP_SIZE)
fn sample_categorical(@builtin(global_invocation_id) id: vec3u) {
  let row = invocation_index(id);
  if (row >= COUNT) {
    return;
  }
  let start = row * CLASSES;
  var total = 0.0;
  var last_possible = 0u;
  for (var c = 0u; c < CLASSES; c++) {
    let p = probabilities[start + c];
    total += p;
    if (p > 0.0) {
      last_possible = c;
    }
  }
  let threshold = to_unit(stream_block(row)).x * total;
  // Rounding can leave the threshold at the total: the last class that can occur then takes it.
  var chosen = last_possible;
  var running = 0.0;
  for (var c = 0u; c < CLASSES; c++) {
    running += probabilities[start + c];
    if (running > threshold) {
      chosen = c;
      break;
    }
  }
  integers[row] = chosen;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn philox_blocks(@builtin(global_invocation_id) id: vec3u) {
  let block = invocation_index(id);
  if (block >= COUNT) {
    return;
  }
  let input = block * 6u;
  let counter = vec4u(philox_inputs[input], philox_inputs[input + 1u], philox_inputs[input + 2u], philox_inputs[input + 3u]);
  let key = vec2u(philox_inputs[input + 4u], philox_inputs[input + 5u]);
  let words = philox(counter, key);
  for (var j = 0u; j < 4u; j++) {
    integers[block * 4u + j] = words[j];
  }
}
