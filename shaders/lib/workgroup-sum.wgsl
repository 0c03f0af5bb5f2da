// Library snippet (src/kernels/wgsl-library.ts appends it to the kernels that name it):
// a sum over one workgroup in a fixed tree order, so the same inputs give the same bits on every run.
//
// Expects from the kernel:
//   WORKGROUP_SIZE   a u32 const or override, a power of two: the workgroup size of every entry point
//                    that calls workgroup_sum.

var<workgroup> workgroup_sum_tree: array<f32, WORKGROUP_SIZE>;

// Every invocation of the workgroup must call it (it has barriers), with its `local_invocation_index`;
// every invocation gets the total.
fn workgroup_sum(value: f32, local: u32) -> f32 {
  workgroup_sum_tree[local] = value;
  workgroupBarrier();
  for (var width = WORKGROUP_SIZE / 2u; width > 0u; width /= 2u) {
    if (local < width) {
      workgroup_sum_tree[local] += workgroup_sum_tree[local + width];
    }
    workgroupBarrier();
  }
  let total = workgroup_sum_tree[0];
  workgroupBarrier(); // everyone has read the total before the tree is reused
  return total;
}
