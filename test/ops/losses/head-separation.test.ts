import { describe, expect, it } from 'vitest';
import { headSeparation } from '../../../src/ops/losses/head-separation.js';
import { useEngine } from '../../helpers/engine.js';
import { checkGradients } from '../../helpers/gradient-check.js';
import { randomValues } from '../../helpers/reference.js';

const gpu = useEngine();

function reference(heads: ArrayLike<number>, count: number, dimensions: number, margin: number): number {
  let cost = 0;
  for (let i = 0; i < count; i++) {
    for (let j = i + 1; j < count; j++) {
      let total = 0;
      for (let d = 0; d < dimensions; d++) total += (heads[i * dimensions + d] - heads[j * dimensions + d]) ** 2;
      cost += Math.max(0, margin - Math.sqrt(total));
    }
  }
  return cost;
}

describe('headSeparation (the dimensionality-reduction AAE cost)', () => {
  for (const [count, dimensions] of [
    [2, 2],
    [10, 2],
    [16, 7],
    [30, 3],
  ]) {
    it(`matches a float64 reference for ${count} heads in ${dimensions}-D`, async () => {
      const heads = randomValues(count * dimensions, count + dimensions, -1, 1);
      const cost = gpu.engine.scope(() => headSeparation(gpu.engine.tensor(heads, [count, dimensions]), 1.5));
      expect(await cost.item()).toBeCloseTo(reference(heads, count, dimensions, 1.5), 3);
      cost.dispose();
    });
  }

  it('is zero once every pair is at least the margin apart', async () => {
    const cost = gpu.engine.scope(() => headSeparation(gpu.engine.tensor([0, 0, 3, 0, 0, 3], [3, 2]), 2));
    expect(await cost.item()).toBe(0);
    cost.dispose();
  });

  it('has the gradient of finite differences', async () => {
    await checkGradients(gpu.engine, (heads) => headSeparation(heads, 1.2), [{ data: randomValues(5 * 2, 3, -0.5, 0.5), shape: [5, 2] }], { step: 1e-3 });
  });

  it('names the op and the bad input', () => {
    expect(() => headSeparation(gpu.engine.tensor([1, 2], [2]), 1)).toThrow(/headSeparation: heads \[2\] f32 must be f32 \[clusters, dimensions\]/);
    expect(() => headSeparation(gpu.engine.tensor([1, 2], [1, 2]), 0)).toThrow(/margin 0 must be a positive number/);
  });
});
