import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/device/engine.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { backward } from '../../src/autograd/tape.js';
import { mse } from '../../src/ops/losses/mse.js';
import { Adam, type AdamOptions } from '../../src/optim/adam.js';
import { Sgd, type SgdOptions } from '../../src/optim/sgd.js';
import type { Optimizer } from '../../src/optim/optimizer.js';
import { useEngine } from '../helpers/engine.js';
import { expectClose, randomValues } from '../helpers/reference.js';

const gpu = useEngine();
const shapes = [[7, 33], [1], [100, 784]];

/** Parameters and fixed targets; the loss Σ (p - target)² gives each parameter the gradient 2 (p - target). */
function problem(engine: Engine, seed: number) {
  const start = shapes.map((shape, i) => Float64Array.from(randomValues(shape.reduce((a, b) => a * b), seed + i, -1, 1)));
  const goal = shapes.map((shape, i) => Float64Array.from(randomValues(shape.reduce((a, b) => a * b), seed + 10 + i, -1, 1)));
  const parameters = start.map((values, i) => {
    const tensor = engine.keep(engine.tensor(Float32Array.from(values), shapes[i]));
    tensor.requiresGrad = true;
    return tensor;
  });
  const targets = goal.map((values, i) => engine.keep(engine.tensor(Float32Array.from(values), shapes[i])));
  return { start, goal, parameters, targets };
}

/** One training step: fresh gradients of Σ_i sum((p_i - target_i)²), then the optimizer's update. */
function trainStep(optimizer: Optimizer, parameters: Tensor[], targets: Tensor[]): void {
  const engine = optimizer.engine;
  engine.scope(() => {
    optimizer.zeroGrad();
    parameters.forEach((parameter, i) => backward(mse(parameter, targets[i], 'sum')));
    optimizer.step();
  });
}

function adamReference(start: Float64Array[], goal: Float64Array[], steps: number, options: Required<AdamOptions>): Float64Array[] {
  const { learningRate, beta1, beta2, epsilon, weightDecay, decoupled, halfLife } = options;
  return start.map((initial, index) => {
    const p = Float64Array.from(initial);
    const m = new Float64Array(p.length);
    const v = new Float64Array(p.length);
    for (let t = 1; t <= steps; t++) {
      const lr = halfLife > 0 ? learningRate * 0.5 ** ((t - 1) / halfLife) : learningRate;
      for (let i = 0; i < p.length; i++) {
        let g = 2 * (p[i] - goal[index][i]);
        if (decoupled) p[i] -= lr * weightDecay * p[i];
        else g += weightDecay * p[i];
        m[i] = beta1 * m[i] + (1 - beta1) * g;
        v[i] = beta2 * v[i] + (1 - beta2) * g * g;
        const mHat = m[i] / (1 - beta1 ** t);
        const vHat = v[i] / (1 - beta2 ** t);
        p[i] -= (lr * mHat) / (Math.sqrt(vHat) + epsilon);
      }
    }
    return p;
  });
}

function sgdReference(start: Float64Array[], goal: Float64Array[], steps: number, options: Required<SgdOptions>): Float64Array[] {
  const { learningRate: lr, momentum, nesterov, weightDecay } = options;
  return start.map((initial, index) => {
    const p = Float64Array.from(initial);
    const velocity = new Float64Array(p.length);
    for (let t = 1; t <= steps; t++) {
      for (let i = 0; i < p.length; i++) {
        const g = 2 * (p[i] - goal[index][i]) + weightDecay * p[i];
        velocity[i] = momentum * velocity[i] + g;
        p[i] -= lr * (nesterov ? g + momentum * velocity[i] : momentum > 0 ? velocity[i] : g);
      }
    }
    return p;
  });
}

async function readAll(tensors: Tensor[]): Promise<Float32Array[]> {
  return Promise.all(tensors.map(async (t) => (await t.read()) as Float32Array));
}

function release(optimizer: Adam | Sgd, tensors: Tensor[]): void {
  optimizer.zeroGrad();
  optimizer.dispose();
  for (const t of tensors) t.dispose();
}

describe('Adam', () => {
  const cases: Required<AdamOptions>[] = [
    { learningRate: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, decoupled: false, halfLife: 0 },
    { learningRate: 2e-3, beta1: 0.5, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.1, decoupled: false, halfLife: 0 },
    { learningRate: 5e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.05, decoupled: true, halfLife: 0 },
    // The rate halves every 2 steps: by the 6th it is a fifth of the first's.
    { learningRate: 5e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.05, decoupled: true, halfLife: 2 },
  ];
  for (const options of cases) {
    it(`matches a float64 Adam over several steps (${JSON.stringify(options)})`, async () => {
      const { engine } = gpu;
      const { start, goal, parameters, targets } = problem(engine, 1);
      const adam = new Adam(parameters, options);
      const steps = 6;
      for (let step = 0; step < steps; step++) trainStep(adam, parameters, targets);
      expect(adam.stepCount).toBe(steps);
      const expected = adamReference(start, goal, steps, options);
      (await readAll(parameters)).forEach((got, i) => expectClose(got, expected[i], { absolute: 2e-6, relative: 1e-5 }, `parameter ${i}`));
      release(adam, [...parameters, ...targets]);
    });
  }

  it('replayed in a captured step equals the same steps run eagerly (t advances on each replay)', async () => {
    const { engine } = gpu;
    const steps = 5;
    const options = { learningRate: 1e-2, beta1: 0.5, beta2: 0.9 };
    const eager = problem(engine, 2);
    const eagerAdam = new Adam(eager.parameters, options);
    for (let step = 0; step < steps; step++) trainStep(eagerAdam, eager.parameters, eager.targets);

    const captured = problem(engine, 2);
    const capturedAdam = new Adam(captured.parameters, options);
    const step = engine.capture(() => trainStep(capturedAdam, captured.parameters, captured.targets));
    for (let run = 1; run < steps; run++) step.run();
    expect(capturedAdam.stepCount).toBe(steps);
    const expected = await readAll(eager.parameters);
    (await readAll(captured.parameters)).forEach((got, i) => expect(Array.from(got)).toEqual(Array.from(expected[i])));
    step.dispose();
    release(eagerAdam, [...eager.parameters, ...eager.targets]);
    release(capturedAdam, [...captured.parameters, ...captured.targets]);
  });

  it('halves the rate every halfLife steps from the first, and refuses a negative or endless half-life', () => {
    const { engine } = gpu;
    const { parameters, targets } = problem(engine, 4);
    const adam = new Adam(parameters, { learningRate: 0.1, halfLife: 1000 });
    expect(adam.learningRateAt(1)).toBe(0.1);
    expect(adam.learningRateAt(1001)).toBeCloseTo(0.05, 12);
    expect(adam.learningRateAt(3001)).toBeCloseTo(0.0125, 12);
    const constant = new Adam(parameters, { learningRate: 0.1 });
    expect(constant.learningRateAt(5000)).toBe(0.1);
    constant.dispose();
    for (const halfLife of [-1, Infinity, NaN]) {
      expect(() => new Adam(parameters, { halfLife })).toThrow(`Adam: halfLife ${halfLife} must be 0 (a constant rate) or a positive number of steps.`);
    }
    release(adam, [...parameters, ...targets]);
  });

  it('skips parameters without a gradient, and tolerates gradients already disposed', async () => {
    const { engine } = gpu;
    const { start, parameters, targets } = problem(engine, 3);
    const adam = new Adam(parameters, { learningRate: 0.1 });
    parameters[1].requiresGrad = false;
    trainStep(adam, [parameters[0], parameters[2]], [targets[0], targets[2]]);
    expect(parameters[1].grad).toBeNull();
    const values = await readAll(parameters);
    expectClose(values[1], start[1], { absolute: 0, relative: 0 }, 'frozen parameter');
    expect(values[0].some((v, i) => v !== Math.fround(start[0][i]))).toBe(true);
    parameters[0].grad!.dispose();
    parameters[2].grad!.dispose();
    adam.step(); // the gradients were disposed: treated as absent, so nothing happens and t stays
    expect(adam.stepCount).toBe(1);
    expectClose(await parameters[0].read(), values[0], { absolute: 0, relative: 0 }, 'parameter with a disposed gradient');
    adam.zeroGrad();
    expect(parameters.every((p) => p.grad === null)).toBe(true);
    release(adam, [...parameters, ...targets]);
  });

  it('rejects bad settings and duplicate parameters', () => {
    const { engine } = gpu;
    const p = engine.keep(engine.tensor([1], [1]));
    expect(() => new Adam([p, p])).toThrow(/listed twice/);
    expect(() => new Adam([p], { beta1: 1 })).toThrow(/beta1 1/);
    expect(() => new Adam([p], { learningRate: -1 })).toThrow(/learning rate -1/);
    expect(() => new Adam([])).toThrow(/no parameters/);
    p.dispose();
  });
});

describe('Sgd', () => {
  const cases: Required<SgdOptions>[] = [
    { learningRate: 0.05, momentum: 0, nesterov: false, weightDecay: 0 },
    { learningRate: 0.02, momentum: 0.9, nesterov: false, weightDecay: 0 },
    { learningRate: 0.02, momentum: 0.9, nesterov: true, weightDecay: 0.01 },
  ];
  for (const options of cases) {
    it(`matches a float64 SGD over several steps (${JSON.stringify(options)})`, async () => {
      const { engine } = gpu;
      const { start, goal, parameters, targets } = problem(engine, 4);
      const sgd = new Sgd(parameters, options);
      const steps = 6;
      for (let step = 0; step < steps; step++) trainStep(sgd, parameters, targets);
      const expected = sgdReference(start, goal, steps, options);
      (await readAll(parameters)).forEach((got, i) => expectClose(got, expected[i], { absolute: 2e-6, relative: 1e-5 }, `parameter ${i}`));
      release(sgd, [...parameters, ...targets]);
    });
  }

  it('a changed learning rate reaches a captured step on its next replay', async () => {
    const { engine } = gpu;
    const p = engine.keep(engine.tensor([1], [1]));
    p.requiresGrad = true;
    const sgd = new Sgd([p], { learningRate: 0.5 });
    // Loss p² (target 0): gradient 2p.
    const zero = engine.keep(engine.tensor([0], [1]));
    const step = engine.capture(() => trainStep(sgd, [p], [zero]));
    expect(await p.item()).toBeCloseTo(0, 6); // 1 - 0.5 * 2
    p.write([1]);
    sgd.learningRate = 0.25;
    step.run();
    expect(await p.item()).toBeCloseTo(0.5, 6);
    step.dispose();
    release(sgd, [p, zero]);
  });
});
