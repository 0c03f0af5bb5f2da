// Our AAE step, built from the engine's pieces (not src/models, so that it is exactly the step the
// issue describes): captured on the first call, replayed after; the three losses are the one readback.
import { backward } from '../../../src/autograd/tape.js';
import type { Engine } from '../../../src/device/engine.js';
import type { CaptureOptions, CapturedStep } from '../../../src/device/captured-step.js';
import { Mlp } from '../../../src/nn/mlp.js';
import { add } from '../../../src/ops/arithmetic.js';
import { concat } from '../../../src/ops/concat.js';
import { ones, zeros } from '../../../src/launch/fill.js';
import { bceWithLogits } from '../../../src/ops/losses/bce-with-logits.js';
import { Adam } from '../../../src/optim/adam.js';
import type { Tensor } from '../../../src/tensor/tensor.js';
import { BATCH, LATENT, PIXELS, mlpStateDict, networkSizes, type AaeArchitecture, type AaeBatch, type AaeState } from './setup.js';
import type { AaeStepper, Losses } from './stepper.js';

export const LEARNING_RATE = 1e-3;

/** `capture` passes options to `engine.capture` (the buffer-plan benchmark compares planning on and off). */
export function ourAae(engine: Engine, architecture: AaeArchitecture, state: AaeState, capture?: CaptureOptions): AaeStepper {
  const sizes = networkSizes(architecture);
  const encoder = new Mlp(engine, sizes.encoder);
  const decoder = new Mlp(engine, sizes.decoder);
  const discriminator = new Mlp(engine, sizes.discriminator);
  encoder.loadStateDict(mlpStateDict(state.encoder));
  decoder.loadStateDict(mlpStateDict(state.decoder));
  discriminator.loadStateDict(mlpStateDict(state.discriminator));
  const options = { learningRate: LEARNING_RATE, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
  const autoencoderOptimizer = new Adam([...encoder.parameters(), ...decoder.parameters()], options);
  const discriminatorOptimizer = new Adam(discriminator, options);
  const generatorOptimizer = new Adam(encoder, options);
  const images = engine.keep(engine.empty([BATCH, PIXELS]));
  const prior = engine.keep(engine.empty([BATCH, LATENT]));
  const real = engine.keep(ones(engine, [BATCH, 1]));
  const fake = engine.keep(zeros(engine, [BATCH, 1]));

  const trainStep = (): Tensor => {
    const reconstruction = bceWithLogits(decoder.forward(encoder.forward(images)), images, 'batchMean');
    backward(reconstruction);
    autoencoderOptimizer.step();
    autoencoderOptimizer.zeroGrad();

    const codes = engine.noGrad(() => encoder.forward(images));
    const discriminatorLoss = add(bceWithLogits(discriminator.forward(prior), real), bceWithLogits(discriminator.forward(codes), fake));
    backward(discriminatorLoss);
    discriminatorOptimizer.step();
    discriminatorOptimizer.zeroGrad();

    discriminator.freeze();
    const generatorLoss = bceWithLogits(discriminator.forward(encoder.forward(images)), real);
    backward(generatorLoss);
    generatorOptimizer.step();
    generatorOptimizer.zeroGrad();
    discriminator.unfreeze();
    return concat([reconstruction, discriminatorLoss, generatorLoss], 0);
  };

  let captured: CapturedStep<Tensor> | null = null;
  return {
    async step(batch: AaeBatch): Promise<Losses> {
      images.write(batch.images);
      prior.write(batch.prior);
      if (captured) captured.run();
      else captured = engine.capture(trainStep, capture);
      const losses = await captured.outputs.read();
      return [losses[0], losses[1], losses[2]];
    },
    async peakBytes(batch) {
      await this.step(batch);
      return engine.memory().peakBytes;
    },
    dispose() {
      captured?.dispose();
      for (const module of [encoder, decoder, discriminator]) module.dispose();
      for (const optimizer of [autoencoderOptimizer, discriminatorOptimizer, generatorOptimizer]) optimizer.dispose();
      for (const tensor of [images, prior, real, fake]) tensor.dispose();
    },
  };
}
