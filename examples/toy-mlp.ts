/**
 * Trains a small MLP to tell three interleaved spirals apart, on whatever WebGPU adapter is here, with
 * the training step captured once and replayed. Run: `npm run example`.
 */
import { parseArgs } from 'node:util';
import { createEngine, backward, mlp, Adam, softmaxCrossEntropy, spirals, accuracy } from '../src/index.js';

const { values: options } = parseArgs({
  options: {
    steps: { type: 'string', default: '1500' },
    seed: { type: 'string', default: '1' },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (options.help) {
  console.log('usage: npm run example -- [--steps N] [--seed S] [--verbose]');
  process.exit(0);
}
const steps = Number(options.steps);
const seed = Number(options.seed);

const engine = await createEngine({ verbose: true });
const data = spirals(1536, { seed });
const batchSize = 128;
const model = mlp(engine, [2, 64, 64, data.classes], { seed });
const optimizer = new Adam(model, { learningRate: 0.01 });

// Minibatch inputs live outside the captured step and are refilled before each replay.
const inputs = engine.keep(engine.empty([batchSize, 2]));
const labels = engine.keep(engine.empty([batchSize], 'u32'));
const fillBatch = (step: number) => {
  const start = (step * batchSize) % data.count;
  inputs.write(data.points.subarray(2 * start, 2 * (start + batchSize)));
  labels.write(data.labels.subarray(start, start + batchSize));
};

fillBatch(0);
const started = performance.now();
const trainingStep = engine.capture(() => {
  optimizer.zeroGrad();
  const loss = softmaxCrossEntropy(model.forward(inputs), labels);
  backward(loss);
  optimizer.step();
  return loss;
});
for (let step = 1; step < steps; step++) {
  fillBatch(step);
  trainingStep.run();
  if (step % 250 === 0 || step === steps - 1) {
    const loss = await trainingStep.outputs.item();
    const rate = step / ((performance.now() - started) / 1000);
    console.log(`step ${String(step).padStart(5)}  loss ${loss.toFixed(4)}  ${rate.toFixed(0)} steps/s`);
  }
}

const all = engine.keep(engine.tensor(data.points, [data.count, 2]));
const logits = engine.noGrad(() => model.forward(all));
console.log(`training accuracy: ${(100 * accuracy(await logits.read(), data.labels, data.classes)).toFixed(1)} %`);
engine.dispose();
