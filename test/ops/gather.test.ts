import { describe, expect, it } from 'vitest';
import { backward } from '../../src/autograd/tape.js';
import { gatherRows } from '../../src/ops/gather.js';
import { oneHot } from '../../src/ops/one-hot.js';
import { useEngine } from '../helpers/engine.js';
import { checkGradients } from '../helpers/gradient-check.js';
import { expectClose, randomValues, thrownMessage } from '../helpers/reference.js';

const gpu = useEngine();

describe('gatherRows', () => {
  it('picks rows, including repeats, and zeros for out-of-range indices', async () => {
    const { engine } = gpu;
    const cases: { rows: number; columns: number; indices: number[] }[] = [
      { rows: 1, columns: 1, indices: [0] },
      { rows: 7, columns: 33, indices: [6, 0, 3, 3, 7, 1, 0xffffffff] },
      { rows: 1000, columns: 784, indices: Array.from({ length: 100 }, (_, i) => (i * 37) % 1000) },
      { rows: 100, columns: 10, indices: Array.from({ length: 1000 }, (_, i) => (i * 13) % 100) },
    ];
    for (const { rows, columns, indices } of cases) {
      const table = randomValues(rows * columns, 51);
      const expected = new Float64Array(indices.length * columns);
      indices.forEach((row, b) => {
        if (row < rows) expected.set(table.subarray(row * columns, (row + 1) * columns), b * columns);
      });
      const result = engine.scope(() => gatherRows(engine.tensor(table, [rows, columns]), engine.tensor(Uint32Array.from(indices), [indices.length])));
      expect(result.shape).toEqual([indices.length, columns]);
      expectClose(await result.read(), expected, { absolute: 0, relative: 0 }, `gatherRows ${rows}x${columns}`);
      result.dispose();
    }
  });

  it('scatter-adds the gradient, repeats in order, exactly the same on every run', async () => {
    const { engine } = gpu;
    const rows = 7;
    const columns = 33;
    const indices = [6, 0, 3, 3, 9, 1, 3, 0];
    const gradOut = randomValues(indices.length * columns, 52);
    const expected = new Float64Array(rows * columns);
    indices.forEach((row, b) => {
      if (row >= rows) return;
      for (let c = 0; c < columns; c++) expected[row * columns + c] = Math.fround(expected[row * columns + c] + gradOut[b * columns + c]);
    });
    const runs: Float32Array[] = [];
    for (let run = 0; run < 2; run++) {
      const grad = engine.scope(() => {
        const table = engine.tensor(randomValues(rows * columns, 53), [rows, columns]);
        table.requiresGrad = true;
        backward(gatherRows(table, engine.tensor(Uint32Array.from(indices), [indices.length])), engine.tensor(gradOut, [indices.length, columns]));
        return table.grad!;
      });
      runs.push((await grad.read()) as Float32Array);
      grad.dispose();
    }
    // Sums in index order in f32, as the reference does: bit for bit.
    expectClose(runs[0], expected, { absolute: 0, relative: 0 }, 'table gradient');
    expect(Array.from(runs[1])).toEqual(Array.from(runs[0]));
  });

  it('gradient against finite differences', async () => {
    const { engine } = gpu;
    const indices = engine.keep(engine.tensor(new Uint32Array([2, 0, 2, 4]), [4]));
    await checkGradients(engine, (table) => gatherRows(table, indices), [{ data: randomValues(15, 54), shape: [5, 3] }], { samples: 15 });
    indices.dispose();
  });

  it('checks dtypes and ranks', () => {
    const { engine } = gpu;
    engine.scope(() => {
      const table = engine.tensor(new Float32Array(6), [2, 3]);
      const indices = engine.tensor(new Uint32Array([0, 1]), [2]);
      expect(thrownMessage(() => gatherRows(table, engine.tensor([0, 1], [2])))).toMatch(/gatherRows: indices \[2\] f32 must be a u32 tensor/);
      expect(thrownMessage(() => gatherRows(table, engine.tensor(new Uint32Array(2), [1, 2])))).toMatch(/gatherRows: indices \[1, 2\] u32 must be 1-D/);
      expect(thrownMessage(() => gatherRows(engine.tensor(new Float32Array(6), [6]), indices))).toMatch(/gatherRows: table \[6\] f32 must be 2-D/);
      expect(thrownMessage(() => gatherRows(engine.tensor(new Uint32Array(6), [2, 3]), indices))).toMatch(/gatherRows: table \[2, 3\] u32/);
    });
  });
});

describe('oneHot', () => {
  it('sets one column per row; labels past the classes give zero rows', async () => {
    const { engine } = gpu;
    for (const [labels, classes] of [
      [[0], 1],
      [[3, 0, 9, 10, 2, 2, 7], 10],
      [Array.from({ length: 1000 }, (_, i) => (i * 7) % 33), 33],
    ] as [number[], number][]) {
      const result = engine.scope(() => oneHot(engine.tensor(Uint32Array.from(labels), [labels.length]), classes));
      expect(result.shape).toEqual([labels.length, classes]);
      const expected = new Float64Array(labels.length * classes);
      labels.forEach((label, b) => {
        if (label < classes) expected[b * classes + label] = 1;
      });
      expectClose(await result.read(), expected, { absolute: 0, relative: 0 }, `oneHot ${classes}`);
      result.dispose();
    }
  });

  it('checks labels and classes', () => {
    const { engine } = gpu;
    engine.scope(() => {
      expect(thrownMessage(() => oneHot(engine.tensor([1, 2], [2]), 3))).toMatch(/oneHot: labels \[2\] f32 must be a u32 tensor/);
      expect(thrownMessage(() => oneHot(engine.tensor(new Uint32Array(2), [2]), 0))).toMatch(/oneHot: classes must be a positive integer/);
    });
  });
});
