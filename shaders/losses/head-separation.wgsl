// The dimensionality-reduction AAE's cost on its cluster heads h_0..h_{K-1} (rows of `heads`, K × D):
//   cost = Σ_{i<j} max(0, MARGIN - ||h_i - h_j||)
// pushes apart every pair of heads closer than MARGIN. Its gradient for head i:
//   d cost / d h_i = -Σ_{j≠i, 0<||h_i-h_j||<MARGIN} (h_i - h_j) / ||h_i - h_j||
// (coinciding heads get no push: the direction is undefined there).
// Entry points: `cost` (one workgroup, fixed order) and `gradient` (one invocation per head, scaled by
// the incoming scalar gradient). Library snippets expected: workgroup-sum.
// Host constants:
override HEADS: u32;                   // K
override DIMENSIONS: u32;              // D
override MARGIN: f32;
override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> heads: array<f32>;
// `cost`:
@group(0) @binding(1) var<storage, read_write> cost_output: array<f32>;
// `gradient`:
@group(0) @binding(1) var<storage, read> grad_output: array<f32>;
@group(0) @binding(2) var<storage, read_write> grad_heads: array<f32>;

fn distance(i: u32, j: u32) -> f32 {
  var total = 0.0;
  for (var d = 0u; d < DIMENSIONS; d++) {
    let difference = heads[i * DIMENSIONS + d] - heads[j * DIMENSIONS + d];
    total += difference * difference;
  }
  return sqrt(total);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn cost(@builtin(local_invocation_index) local: u32) {
  var partial = 0.0;
  // Pairs (i, j), i < j, dealt out to the invocations in a fixed order.
  for (var pair = local; pair < HEADS * HEADS; pair += WORKGROUP_SIZE) {
    let i = pair / HEADS;
    let j = pair % HEADS;
    if (i < j) {
      partial += max(0.0, MARGIN - distance(i, j));
    }
  }
  let total = workgroup_sum(partial, local);
  if (local == 0u) {
    cost_output[0] = total;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn gradient(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x;
  if (i >= HEADS) {
    return;
  }
  let g = grad_output[0];
  for (var d = 0u; d < DIMENSIONS; d++) {
    var push = 0.0;
    for (var j = 0u; j < HEADS; j++) {
      let length = distance(i, j);
      if (j != i && length > 0.0 && length < MARGIN) {
        push -= (heads[i * DIMENSIONS + d] - heads[j * DIMENSIONS + d]) / length;
      }
    }
    grad_heads[i * DIMENSIONS + d] = g * push;
  }
}
