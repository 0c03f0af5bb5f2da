import { describe, expect, it } from 'vitest';
import { backward } from '../../src/autograd/tape.js';
import { bceWithLogits } from '../../src/ops/losses/bce-with-logits.js';
import { mse } from '../../src/ops/losses/mse.js';
import { initBound, initWeights } from '../../src/nn/init.js';
import { Linear } from '../../src/nn/linear.js';
import { mlp } from '../../src/nn/mlp.js';
import { Adam } from '../../src/optim/adam.js';
import { seededUniform } from '../../src/random/seeded.js';
import { useEngine } from '../helpers/engine.js';
import { expectClose, moments, randomValues } from '../helpers/reference.js';

const gpu = useEngine();

describe('init', () => {
  it('He and Xavier uniform have the intended variance and bounds', () => {
    for (const [fanIn, fanOut] of [[784, 1000], [1000, 8], [33, 7]]) {
      const he = initWeights('he', fanIn, fanOut, 1);
      const xavier = initWeights('xavier', fanIn, fanOut, 1);
      const tolerance = 4 * Math.sqrt(0.8 / he.length); // relative std. error of a uniform's variance is sqrt(0.8 / n)
      expect(Math.abs(moments(he).variance / (2 / fanIn) - 1)).toBeLessThan(tolerance);
      expect(Math.abs(moments(xavier).variance / (2 / (fanIn + fanOut)) - 1)).toBeLessThan(tolerance);
      expect(he.reduce((a, v) => Math.max(a, Math.abs(v)), 0)).toBeLessThanOrEqual(initBound('he', fanIn, fanOut));
      expect(xavier.reduce((a, v) => Math.max(a, Math.abs(v)), 0)).toBeLessThanOrEqual(initBound('xavier', fanIn, fanOut));
    }
  });

  it('is reproducible from its seed, and seeds differ', () => {
    expect(Array.from(initWeights('he', 30, 20, 5))).toEqual(Array.from(initWeights('he', 30, 20, 5)));
    expect(Array.from(initWeights('he', 30, 20, 5))).not.toEqual(Array.from(initWeights('he', 30, 20, 6)));
    const next = seededUniform(9);
    const values = Array.from({ length: 100_000 }, next);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(Math.abs(moments(values).mean - 0.5)).toBeLessThan(0.005);
  });
});

describe('Linear and mlp', () => {
  it('Linear computes activation(x · weight + bias) with weight [in, out]', async () => {
    const { engine } = gpu;
    const layer = new Linear(engine, 33, 7, { activation: 'relu', seed: 3 });
    expect(layer.weight.shape).toEqual([33, 7]);
    expect(layer.bias!.shape).toEqual([7]);
    const bias = Float32Array.from(randomValues(7, 4, -0.5, 0.5));
    layer.bias!.write(bias);
    const x = randomValues(5 * 33, 5, -1, 1);
    const weight = await layer.weight.read();
    const y = layer.forward(engine.tensor(Float32Array.from(x), [5, 33]));
    const expected = new Float64Array(5 * 7);
    for (let r = 0; r < 5; r++) {
      for (let o = 0; o < 7; o++) {
        let total = bias[o];
        for (let i = 0; i < 33; i++) total += x[r * 33 + i] * weight[i * 7 + o];
        expected[r * 7 + o] = Math.max(total, 0);
      }
    }
    expectClose(await y.read(), expected, { absolute: 1e-5, relative: 1e-4 });
    expect(() => layer.forward(engine.empty([5, 32]))).toThrow(/Linear\(33 -> 7\): input \[5, 32\] f32 must be \[batch, 33\]/);
    layer.dispose();
  });

  it('mlp names its parameters, makes them trainable, and inits reproducibly from the seed', async () => {
    const { engine } = gpu;
    const a = mlp(engine, [784, 100, 100, 8], { hidden: 'relu', output: 'none', seed: 1 });
    const b = mlp(engine, [784, 100, 100, 8], { hidden: 'relu', output: 'none', seed: 1 });
    const c = mlp(engine, [784, 100, 100, 8], { hidden: 'relu', output: 'none', seed: 2 });
    expect(a.namedParameters().map(([name, p]) => `${name} ${p.describe()}`)).toEqual([
      '0.weight [784, 100] f32',
      '0.bias [100] f32',
      '1.weight [100, 100] f32',
      '1.bias [100] f32',
      '2.weight [100, 8] f32',
      '2.bias [8] f32',
    ]);
    expect(a.parameters().every((p) => p.requiresGrad)).toBe(true);
    expect(a.layers.map((layer) => layer.activation)).toEqual(['relu', 'relu', 'none']);
    const weightsA = await a.layers[0].weight.read();
    expect(Array.from(await b.layers[0].weight.read())).toEqual(Array.from(weightsA));
    expect(Array.from(await c.layers[0].weight.read())).not.toEqual(Array.from(weightsA));
    // Layers get different seeds: the two 100×100 layers are not copies of each other's start.
    expect(Array.from(await a.layers[1].weight.read()).slice(0, 8)).not.toEqual(Array.from(weightsA).slice(0, 8));
    expect(Math.abs(moments(weightsA).variance / (2 / 784) - 1)).toBeLessThan(0.02);
    // Output layer without ReLU: Xavier.
    expect(Math.abs(moments(await a.layers[2].weight.read()).variance / (2 / 108) - 1)).toBeLessThan(0.1);
    for (const m of [a, b, c]) m.dispose();
  });
});

describe('state dict', () => {
  it('round trips through tensors and through arrays read back', async () => {
    const { engine } = gpu;
    const source = mlp(engine, [20, 16, 3], { seed: 1, output: 'sigmoid' });
    const copy = mlp(engine, [20, 16, 3], { seed: 2, output: 'sigmoid' });
    const x = engine.tensor(Float32Array.from(randomValues(4 * 20, 3, -1, 1)), [4, 20]);
    copy.loadStateDict(source.stateDict());
    for (const [name, parameter] of copy.namedParameters()) {
      expect(Array.from(await parameter.read()), name).toEqual(Array.from(await source.stateDict()[name].read()));
    }
    expect(Array.from(await copy.forward(x).read())).toEqual(Array.from(await source.forward(x).read()));

    // As saved to a file: plain arrays.
    const saved: Record<string, Float32Array> = {};
    for (const [name, tensor] of Object.entries(source.stateDict())) saved[name] = (await tensor.read()) as Float32Array;
    const restored = mlp(engine, [20, 16, 3], { seed: 3, output: 'sigmoid' });
    restored.loadStateDict(saved);
    expect(Array.from(await restored.forward(x).read())).toEqual(Array.from(await source.forward(x).read()));
    for (const m of [source, copy, restored]) m.dispose();
  });

  it('names missing and unexpected keys and mismatched shapes, and changes nothing then', async () => {
    const { engine } = gpu;
    const model = mlp(engine, [4, 3, 2], { seed: 1 });
    const other = mlp(engine, [4, 5, 2], { seed: 1 });
    const state = model.stateDict();
    const before = Array.from(await model.layers[0].weight.read());
    const { ['1.bias']: _dropped, ...missing } = state;
    expect(() => model.loadStateDict(missing)).toThrow(/missing 1\.bias/);
    expect(() => model.loadStateDict({ ...state, '2.weight': state['1.weight'] })).toThrow(/unexpected 2\.weight/);
    expect(() => model.loadStateDict(other.stateDict())).toThrow(/'0\.weight' is \[4, 5\] f32 in the state but \[4, 3\] f32/);
    expect(() => model.loadStateDict({ ...state, '0.bias': [1, 2] })).toThrow(/'0\.bias' has 2 values in the state, but \[3\] holds 3/);
    expect(Array.from(await model.layers[0].weight.read())).toEqual(before);
    model.dispose();
    other.dispose();
  });
});

describe('freeze', () => {
  it('a frozen network passes gradients through but is not updated', async () => {
    const { engine } = gpu;
    // A generator trained against a frozen discriminator: the GAN step.
    const generator = mlp(engine, [4, 8, 3], { seed: 1 });
    const discriminator = mlp(engine, [3, 8, 1], { seed: 2, hidden: 'leakyRelu' });
    const adam = new Adam([...generator.parameters(), ...discriminator.parameters()], { learningRate: 0.05 });
    const z = engine.tensor(Float32Array.from(randomValues(6 * 4, 4, -1, 1)), [6, 4]);
    const real = engine.tensor(new Float32Array(6).fill(1), [6, 1]);
    const snapshot = async () => Promise.all([...generator.parameters(), ...discriminator.parameters()].map(async (p) => Array.from(await p.read())));
    const before = await snapshot();

    discriminator.freeze();
    expect(discriminator.frozen).toBe(true);
    engine.scope(() => {
      adam.zeroGrad();
      backward(bceWithLogits(discriminator.forward(generator.forward(z)), real));
      adam.step();
    });
    expect(discriminator.parameters().every((p) => p.grad === null)).toBe(true);
    const after = await snapshot();
    const generatorCount = generator.parameters().length;
    after.slice(generatorCount).forEach((values, i) => expect(values, `discriminator parameter ${i}`).toEqual(before[generatorCount + i]));
    after.slice(0, generatorCount).forEach((values, i) => expect(values, `generator parameter ${i}`).not.toEqual(before[i]));

    discriminator.unfreeze();
    expect(discriminator.parameters().every((p) => p.requiresGrad)).toBe(true);
    adam.zeroGrad();
    adam.dispose();
    for (const m of [generator, discriminator]) m.dispose();
  });
});

describe('training end to end', () => {
  it('an MLP trained with Adam fits a small regression', async () => {
    const { engine } = gpu;
    const model = mlp(engine, [3, 32, 1], { seed: 7, hidden: 'tanh' });
    const adam = new Adam(model, { learningRate: 0.02 });
    const rows = 64;
    const inputs = randomValues(rows * 3, 8, -1, 1);
    const targets = Float32Array.from({ length: rows }, (_, r) => Math.sin(2 * inputs[r * 3]) + inputs[r * 3 + 1] * inputs[r * 3 + 2]);
    const x = engine.keep(engine.tensor(Float32Array.from(inputs), [rows, 3]));
    const y = engine.keep(engine.tensor(targets, [rows, 1]));
    const step = engine.capture(() => {
      adam.zeroGrad();
      const loss = mse(model.forward(x), y);
      backward(loss);
      adam.step();
      return loss;
    });
    const first = await step.outputs.item();
    for (let i = 0; i < 300; i++) step.run();
    const last = await step.outputs.item();
    expect(last).toBeLessThan(first * 0.1);
    step.dispose();
    adam.dispose();
    model.dispose();
    x.dispose();
    y.dispose();
  });
});
