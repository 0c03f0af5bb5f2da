// Cross-entropy between softmax(logits) and labels, per row of logits [ROWS, CLASSES], fused with its
// gradient. log-softmax is taken stably: lse = max + log Σ exp(x - max), so exp never overflows.
// Labels are either class indices (u32 [ROWS]) or probabilities / one-hot rows (f32 [ROWS, CLASSES]):
//   indices:        loss = lse - x[label],          d/dx_c = softmax_c - [c == label]
//   probabilities:  loss = Σ_c p_c (lse - x_c),     d/dx_c = softmax_c Σp - p_c,   d/dp_c = lse - x_c
// An index label outside [0, CLASSES) gives a NaN loss (and gradient), so the mistake cannot pass unseen.
// Entry points: `loss_indices`, `loss_probabilities` (one workgroup, one row per invocation at a time,
// then a fixed-order tree: deterministic), `gradient_indices`, `gradient_probabilities`,
// `gradient_probabilities_and_labels` (one invocation per row, scaled by the incoming scalar gradient).
//
// Library snippets (src/ops/losses/softmax-cross-entropy.ts appends them):
//   lib/workgroup-sum.wgsl     the deterministic sum of the loss entry points
//
// Host constants:
override ROWS: u32;                    // batch rows
override CLASSES: u32;                 // logits per row
override SCALE: f32;                   // 1 or 1/ROWS: the reduction
override WORKGROUP_SIZE: u32;          // threads per workgroup; a power of two for the loss entry points
override ROW_STRIDE: u32 = 0u;         // gradient entry points: invocations per row of the dispatch grid

@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> label_indices: array<u32>;
@group(0) @binding(1) var<storage, read> label_probabilities: array<f32>;
// loss entry points:
@group(0) @binding(2) var<storage, read_write> loss_output: array<f32>;
// gradient entry points:
@group(0) @binding(2) var<storage, read> grad_output: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad_logits: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad_labels: array<f32>;

// A quiet NaN. WGSL rejects NaN constants, so its bits are made at run time from the offending label.
fn not_a_number(label: u32) -> f32 {
  return bitcast<f32>(0x7fc00000u | (label & 0u));
}

fn log_sum_exp(row: u32) -> f32 {
  let start = row * CLASSES;
  var largest = logits[start];
  for (var c = 1u; c < CLASSES; c++) {
    largest = max(largest, logits[start + c]);
  }
  var total = 0.0;
  for (var c = 0u; c < CLASSES; c++) {
    total += exp(logits[start + c] - largest);
  }
  return largest + log(total);
}

fn row_loss_index(row: u32) -> f32 {
  let label = label_indices[row];
  if (label >= CLASSES) {
    return not_a_number(label);
  }
  return log_sum_exp(row) - logits[row * CLASSES + label];
}

fn row_loss_probabilities(row: u32) -> f32 {
  let lse = log_sum_exp(row);
  let start = row * CLASSES;
  var total = 0.0;
  for (var c = 0u; c < CLASSES; c++) {
    total += label_probabilities[start + c] * (lse - logits[start + c]);
  }
  return total;
}

// Sums `value` over the workgroup in a fixed order and writes the scaled total.
fn reduce_and_write(local: u32, value: f32) {
  let total = workgroup_sum(value, local);
  if (local == 0u) {
    loss_output[0] = total * SCALE;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn loss_indices(@builtin(local_invocation_index) local: u32) {
  var sum = 0.0;
  for (var row = local; row < ROWS; row += WORKGROUP_SIZE) {
    sum += row_loss_index(row);
  }
  reduce_and_write(local, sum);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn loss_probabilities(@builtin(local_invocation_index) local: u32) {
  var sum = 0.0;
  for (var row = local; row < ROWS; row += WORKGROUP_SIZE) {
    sum += row_loss_probabilities(row);
  }
  reduce_and_write(local, sum);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn gradient_indices(@builtin(global_invocation_id) id: vec3u) {
  let row = id.x + id.y * ROW_STRIDE;
  if (row >= ROWS) {
    return;
  }
  let g = grad_output[0] * SCALE;
  let label = label_indices[row];
  let lse = select(log_sum_exp(row), not_a_number(label), label >= CLASSES);
  let start = row * CLASSES;
  for (var c = 0u; c < CLASSES; c++) {
    let probability = exp(logits[start + c] - lse);
    grad_logits[start + c] = g * (probability - select(0.0, 1.0, c == label));
  }
}

// Writes d/dx for one row with probability labels; returns the row's lse for the label gradient.
fn gradient_probability_row(row: u32, g: f32) -> f32 {
  let lse = log_sum_exp(row);
  let start = row * CLASSES;
  var label_total = 0.0;
  for (var c = 0u; c < CLASSES; c++) {
    label_total += label_probabilities[start + c];
  }
  for (var c = 0u; c < CLASSES; c++) {
    grad_logits[start + c] = g * (exp(logits[start + c] - lse) * label_total - label_probabilities[start + c]);
  }
  return lse;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn gradient_probabilities(@builtin(global_invocation_id) id: vec3u) {
  let row = id.x + id.y * ROW_STRIDE;
  if (row < ROWS) {
    gradient_probability_row(row, grad_output[0] * SCALE);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn gradient_probabilities_and_labels(@builtin(global_invocation_id) id: vec3u) {
  let row = id.x + id.y * ROW_STRIDE;
  if (row < ROWS) {
    let g = grad_output[0] * SCALE;
    let lse = gradient_probability_row(row, g);
    let start = row * CLASSES;
    for (var c = 0u; c < CLASSES; c++) {
      grad_labels[start + c] = g * (lse - logits[start + c]);
    }
  }
}
