import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/device/engine.js';
import { backward } from '../../src/autograd/tape.js';
import { mlp, type Mlp } from '../../src/nn/mlp.js';
import { Adam } from '../../src/optim/adam.js';
import { Random } from '../../src/random/philox.js';
import { softmaxCrossEntropy } from '../../src/ops/losses/softmax-cross-entropy.js';
import { bceWithLogits } from '../../src/ops/losses/bce-with-logits.js';
import { add } from '../../src/ops/arithmetic.js';
import { mulScalar } from '../../src/ops/arithmetic.js';
import { spirals } from '../../src/data/spirals.js';
import { accuracy } from '../../src/data/accuracy.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { useEngine } from '../helpers/engine.js';

const gpu = useEngine();

/** A classifier step on spirals, with noise from the GPU RNG so that replays must advance it. */
function makeTrainer(engine: Engine, seed: number) {
  const data = spirals(512, { seed });
  const batchSize = 64;
  const model = mlp(engine, [2, 32, 32, data.classes], { seed });
  const optimizer = new Adam(model, { learningRate: 0.01 });
  const random = new Random(engine, seed);
  const inputs = engine.keep(engine.empty([batchSize, 2]));
  const labels = engine.keep(engine.empty([batchSize], 'u32'));
  const load = (step: number) => {
    const start = (step * batchSize) % data.count;
    inputs.write(data.points.subarray(2 * start, 2 * (start + batchSize)));
    labels.write(data.labels.subarray(start, start + batchSize));
  };
  const step = (): Tensor => {
    optimizer.zeroGrad();
    const jittered = add(inputs, random.normal([batchSize, 2], 0, 0.01));
    const loss = softmaxCrossEntropy(model.forward(jittered), labels);
    backward(loss);
    optimizer.step();
    return loss;
  };
  return { data, model, optimizer, load, step };
}

async function parameterValues(model: Mlp): Promise<number[]> {
  const values: number[] = [];
  for (const parameter of model.parameters()) values.push(...(await parameter.read()));
  return values;
}

describe('step capture', () => {
  it('replayed steps give exactly the numbers of eager steps (forward, backward, Adam, RNG)', async () => {
    const { engine } = gpu;
    const steps = 12;

    const eager = makeTrainer(engine, 3);
    const eagerLosses: number[] = [];
    for (let i = 0; i < steps; i++) {
      eager.load(i);
      const loss = engine.scope(() => engine.keep(eager.step()));
      eagerLosses.push(await loss.item());
      loss.dispose();
    }

    const replayed = makeTrainer(engine, 3);
    const replayedLosses: number[] = [];
    replayed.load(0);
    const captured = engine.capture(replayed.step);
    replayedLosses.push(await captured.outputs.item());
    for (let i = 1; i < steps; i++) {
      replayed.load(i);
      captured.run();
      replayedLosses.push(await captured.outputs.item());
    }

    expect(replayedLosses).toEqual(eagerLosses);
    expect(await parameterValues(replayed.model)).toEqual(await parameterValues(eager.model));
    expect(captured.runCount).toBe(steps);
    captured.dispose();
  });

  it('forbids reads and writes inside a capture, and frees its buffers on dispose', async () => {
    const { engine } = gpu;
    const x = engine.keep(engine.tensor([1, 2], [2]));
    expect(() => engine.capture(() => void x.read())).toThrow(/cannot be read while a step is being captured/);
    expect(() => engine.capture(() => x.write([3, 4]))).toThrow(/cannot be written while a step is being captured/);
    const before = engine.memory().liveBytes;
    const captured = engine.capture(() => mulScalar(add(x, x), 3));
    expect(Array.from(await captured.outputs.read())).toEqual([6, 12]);
    x.write([5, 6]);
    captured.run();
    expect(Array.from(await captured.outputs.read())).toEqual([30, 36]);
    captured.dispose();
    expect(captured.outputs.disposed).toBe(true);
    expect(engine.memory().liveBytes).toBe(before);
    expect(() => captured.run()).toThrow(/disposed/);
    x.dispose();
  });
});

describe('training', () => {
  it('a small MLP learns three interleaved spirals to at least 95 % training accuracy', async () => {
    const { engine } = gpu;
    const trainer = makeTrainer(engine, 1);
    trainer.load(0);
    const captured = engine.capture(trainer.step);
    for (let i = 1; i < 1200; i++) {
      trainer.load(i);
      captured.run();
    }
    const all = engine.tensor(trainer.data.points, [trainer.data.count, 2]);
    const logits = engine.noGrad(() => trainer.model.forward(all));
    const trainAccuracy = accuracy(await logits.read(), trainer.data.labels, trainer.data.classes);
    expect(trainAccuracy).toBeGreaterThanOrEqual(0.95);
    all.dispose();
    logits.dispose();
    captured.dispose();
  });

  it('1000 eager training steps leave live tensors and pooled bytes flat', async () => {
    const { engine } = gpu;
    const model = mlp(engine, [8, 16, 8], { seed: 5 });
    const optimizer = new Adam(model, { learningRate: 1e-3 });
    const random = new Random(engine, 5);
    const snapshots: { liveTensors: number; bytes: number }[] = [];
    for (let step = 0; step < 1000; step++) {
      const loss = engine.scope(() => {
        optimizer.zeroGrad();
        const x = random.uniform([32, 8]);
        const loss = bceWithLogits(model.forward(x), x);
        backward(loss);
        optimizer.step();
        return loss;
      });
      if (step % 100 === 99) {
        await loss.item(); // the asynchronous loss read every N steps, as a training loop does
        const memory = engine.memory();
        snapshots.push({ liveTensors: memory.liveTensors, bytes: memory.liveBytes + memory.pooledBytes });
      }
      loss.dispose();
    }
    const settled = snapshots.slice(2);
    expect(new Set(settled.map((s) => s.liveTensors)).size).toBe(1);
    expect(Math.max(...settled.map((s) => s.bytes))).toBe(Math.min(...settled.map((s) => s.bytes)));
  });
});
