import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/device/engine.js';
import { fill } from '../../src/launch/fill.js';
import { add, addScalar, mulScalar } from '../../src/ops/arithmetic.js';
import { relu } from '../../src/ops/unary.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { useEngine } from '../helpers/engine.js';

const gpu = useEngine();
const SIZE = 1000;

/** Eight layers of y = relu(1.5 y - 1) + 0.25: each intermediate is read only by the next layer. */
function chain(x: Tensor): Tensor {
  let y = x;
  for (let layer = 0; layer < 8; layer++) y = addScalar(relu(addScalar(mulScalar(y, 1.5), -1)), 0.25);
  return y;
}

/** chain(x) on the CPU, in float32 as the GPU rounds it. */
function chainReference(value: number): number {
  let y = Math.fround(value);
  for (let layer = 0; layer < 8; layer++) y = Math.fround(Math.max(Math.fround(Math.fround(y * 1.5) - 1), 0) + 0.25);
  return y;
}

async function values(tensor: Tensor): Promise<number[]> {
  return Array.from(await tensor.read());
}

function constantInput(engine: Engine, value: number): Tensor {
  return engine.keep(engine.tensor(new Float32Array(SIZE).fill(value), [SIZE]));
}

describe('captured steps plan their buffers', () => {
  it('lets intermediates whose lifetimes do not overlap share buffers, with the numbers of eager work', async () => {
    const { engine } = gpu;
    const input = constantInput(engine, 2);
    const step = engine.capture(() => chain(input));
    expect(step.plan!.intermediates).toBe(31);
    expect(step.plan!.buffers).toBe(2);
    expect(engine.memory().plan).toEqual({ steps: 1, ...step.plan });
    for (const value of [2, 3, -1]) {
      input.write(new Float32Array(SIZE).fill(value));
      step.run();
      expect(new Set(await values(step.outputs))).toEqual(new Set([chainReference(value)]));
    }
    step.dispose();
    input.dispose();
    expect(engine.memory().plan.steps).toBe(0);
  });

  it('gives every tensor a buffer of its own with planBuffers: false', async () => {
    const { engine } = gpu;
    const input = constantInput(engine, 2);
    const before = engine.memory().liveBuffers;
    const step = engine.capture(() => chain(input), { planBuffers: false });
    expect(step.plan).toBeNull();
    expect(engine.memory().plan.steps).toBe(0);
    expect(engine.memory().liveBuffers - before).toBe(32);
    expect(new Set(await values(step.outputs))).toEqual(new Set([chainReference(2)]));
    step.dispose();
    input.dispose();
  });

  it('never shares the buffers of what the step returns or keeps, which replays refresh in place', async () => {
    const { engine } = gpu;
    const input = constantInput(engine, 1);
    let kept: Tensor | null = null;
    const step = engine.capture(() => {
      const early = mulScalar(input, 2); // returned: alive when the capture ends
      kept = engine.keep(addScalar(early, 1)); // kept by the caller
      return { early, late: chain(kept) };
    });
    for (const value of [1, 4]) {
      input.write(new Float32Array(SIZE).fill(value));
      step.run();
      expect(new Set(await values(step.outputs.early))).toEqual(new Set([2 * value]));
      expect(new Set(await values(kept!))).toEqual(new Set([2 * value + 1]));
      expect(new Set(await values(step.outputs.late))).toEqual(new Set([chainReference(2 * value + 1)]));
    }
    kept!.dispose();
    step.dispose();
    input.dispose();
  });

  it('keeps a tensor uploaded inside the step in a buffer of its own, so every replay still sees the upload', async () => {
    const { engine } = gpu;
    const input = constantInput(engine, 0);
    const step = engine.capture(() => {
      const before = chain(input); // intermediates the upload's buffer must not serve
      const offsets = engine.tensor(Float32Array.from({ length: SIZE }, (_, i) => i), [SIZE]);
      return add(chain(before), offsets);
    });
    for (let run = 0; run < 3; run++) step.run();
    const expected = chainReference(chainReference(0));
    expect(await values(step.outputs)).toEqual(Array.from({ length: SIZE }, (_, i) => Math.fround(expected + i)));
    step.dispose();
    input.dispose();
  });

  it('fails at capture time, naming the kernel, when the step reads a tensor it disposed, and leaves nothing behind', async () => {
    const { engine } = gpu;
    const input = constantInput(engine, 1);
    await engine.sync();
    const before = engine.memory();
    expect(() =>
      engine.capture(() => {
        const doubled = mulScalar(input, 2);
        doubled.dispose();
        return relu(doubled);
      }),
    ).toThrow(/kernel 'unary:relu': binding 0, tensor \[1000\] f32, was used after dispose\(\)/);
    await engine.sync();
    const after = engine.memory();
    expect(after.liveTensors).toBe(before.liveTensors);
    expect(after.liveBytes).toBe(before.liveBytes);
    expect(after.plan.steps).toBe(0);
    input.dispose();
  });
});

describe('eager work reuses buffers within one submit', () => {
  it('gives a buffer released while recorded work still reads it to a later kernel of the same submit', async () => {
    const { engine } = gpu;
    const [tripled, refilled, reused] = engine.scope(() => {
      const twos = fill(engine, [SIZE], 2);
      const buffer = twos.buffer;
      const tripled = mulScalar(twos, 3); // recorded, not yet submitted
      twos.dispose();
      const refilled = fill(engine, [SIZE], 5); // runs after the read above, in the same submit
      return [tripled, refilled, refilled.buffer === buffer];
    });
    expect(reused).toBe(true);
    expect(new Set(await values(tripled))).toEqual(new Set([6]));
    expect(new Set(await values(refilled))).toEqual(new Set([5]));
    tripled.dispose();
    refilled.dispose();
  });

  it('never gives such a buffer to an upload, which would land before the recorded work reads it', async () => {
    const { engine } = gpu;
    const [tripled, uploaded, reused] = engine.scope(() => {
      const twos = fill(engine, [SIZE], 2);
      const buffer = twos.buffer;
      const tripled = mulScalar(twos, 3);
      twos.dispose();
      const uploaded = engine.tensor(new Float32Array(SIZE).fill(9), [SIZE]);
      return [tripled, uploaded, uploaded.buffer === buffer];
    });
    expect(reused).toBe(false);
    expect(new Set(await values(tripled))).toEqual(new Set([6]));
    expect(new Set(await values(uploaded))).toEqual(new Set([9]));
    tripled.dispose();
    uploaded.dispose();
  });
});
