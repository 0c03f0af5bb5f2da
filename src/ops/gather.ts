import { record } from '../autograd/tape.js';
import { defineKernel, perElementLaunch } from '../kernels/kernel.js';
import type { Tensor } from '../tensor/tensor.js';
import { requireFloat, requireIndices, requireSameEngine } from './checks.js';
import { zeros } from '../launch/fill.js';
import gatherSource from '../../shaders/gather.wgsl';

const gatherKernel = defineKernel({ name: 'gather:rows', source: gatherSource, entryPoint: 'gather', bindings: ['read', 'read', 'write'] });
const linksKernel = defineKernel({ name: 'gather:links', source: gatherSource, entryPoint: 'find_links', bindings: ['read', 'write'] });
const scatterKernel = defineKernel({
  name: 'gather:scatter',
  source: gatherSource,
  entryPoint: 'scatter',
  bindings: ['read', 'read', 'read', 'write'],
});

/**
 * Rows `indices` (u32 [B]) of `table` (f32 [R, C]), as [B, C]: a minibatch from a dataset, or an
 * embedding lookup. An index >= R gives a row of zeros (and passes no gradient); it is never read out
 * of bounds. The gradient adds each output row back into its table row; repeated indices add up in
 * index order, so the result is the same on every run.
 */
export function gatherRows(table: Tensor, indices: Tensor): Tensor {
  const op = 'gatherRows';
  requireFloat(op, table, 'table');
  if (table.shape.length !== 2) throw new Error(`${op}: table ${table.describe()} must be 2-D, [rows, columns].`);
  requireIndices(op, indices);
  requireSameEngine(op, [table, indices]);
  const engine = table.engine;
  const [rows, columns] = table.shape;
  const batch = indices.size;
  const output = engine.empty([batch, columns]);
  const launch = perElementLaunch(batch * columns);
  const shape = { ROWS: rows, COLUMNS: columns, BATCH: batch };
  engine.dispatch(gatherKernel, { ...launch.constants, ...shape }, [table, indices, output], launch.workgroups);

  return record(op, [table, indices], output, (gradOutput, needed) => {
    if (!needed[0]) return [null, null];
    // Link each index to its next repeat, then let only the first of each run write its row's sum.
    const links = engine.empty([2, batch], 'u32');
    const linkLaunch = perElementLaunch(batch, 64);
    engine.dispatch(linksKernel, { ...linkLaunch.constants, ...shape }, [indices, links], linkLaunch.workgroups);
    const gradient = zeros(engine, table.shape);
    engine.dispatch(scatterKernel, { ...launch.constants, ...shape }, [gradOutput, indices, links, gradient], launch.workgroups);
    links.dispose();
    return [gradient, null];
  });
}
