import { describe, expect, it } from 'vitest';
import { logSoftmax, softmax } from '../../src/ops/softmax.js';
import { useEngine } from '../helpers/engine.js';
import { checkGradients } from '../helpers/gradient-check.js';
import { expectClose, logSoftmaxReference, randomValues, size, thrownMessage } from '../helpers/reference.js';

const gpu = useEngine();

// Short rows (one invocation each) and long rows (one workgroup each), including 65, just past the switch.
// [66000, 65] needs more workgroups than one grid dimension holds.
const shapes = [[1], [7], [7, 33], [1000, 10], [100, 784], [3, 65], [2, 1000], [2, 3, 7], [66000, 65]];

describe('softmax against float64', () => {
  it('softmax and logSoftmax over the last axis', async () => {
    const { engine } = gpu;
    for (const shape of shapes) {
      const x = randomValues(size(shape), 31, -6, 6);
      const columns = shape[shape.length - 1];
      // Large offsets: a naive exp would overflow.
      if (x.length > 2) {
        x[0] = 500;
        x[1] = -500;
      }
      const expectedLog = logSoftmaxReference(x, columns);
      const [probabilities, logProbabilities] = engine.scope(() => {
        const t = engine.tensor(x, shape);
        return [softmax(t), logSoftmax(t)];
      });
      expect(probabilities.shape).toEqual(shape);
      expectClose(await probabilities.read(), expectedLog.map(Math.exp), { absolute: 1e-7, relative: 1e-5 }, `softmax [${shape}]`);
      expectClose(await logProbabilities.read(), expectedLog, { absolute: 2e-6, relative: 2e-6 }, `logSoftmax [${shape}]`);
      probabilities.dispose();
      logProbabilities.dispose();
    }
  });
});

describe('softmax gradients', () => {
  for (const [name, op] of Object.entries({ softmax, logSoftmax })) {
    it(name, async () => {
      const { engine } = gpu;
      await checkGradients(engine, op, [{ data: randomValues(15, 32, -2, 2), shape: [3, 5] }]);
      await checkGradients(engine, op, [{ data: randomValues(140, 33, -2, 2), shape: [2, 70] }]);
    });
  }

  it('rejects u32 input', () => {
    const { engine } = gpu;
    engine.scope(() => {
      expect(thrownMessage(() => softmax(engine.tensor(new Uint32Array([1, 2]), [2])))).toMatch(/softmax: input \[2\] u32/);
    });
  });
});
