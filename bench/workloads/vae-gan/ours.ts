// Our VAE-GAN step, built from the engine's pieces (not src/models, so that it is exactly the step the
// issue describes and both sides can share every random number): captured on the first call, replayed
// after; the four losses are the one readback. Who gets which gradient, as in src/models/vae-gan.ts:
// encoder PRIOR_WEIGHT · KL + feature reconstruction; decoder GAMMA · feature reconstruction + the
// non-saturating GAN loss; discriminator the GAN loss only. Each update is its own phase with the other
// networks frozen. D_l here is D's second hidden layer, as issue 5 asks (the model uses its first layer
// before the ReLU; the work per step is about the same).
import { backward } from '../../../src/autograd/tape.js';
import type { CaptureOptions, CapturedStep } from '../../../src/device/captured-step.js';
import type { Engine } from '../../../src/device/engine.js';
import { Linear } from '../../../src/nn/linear.js';
import { Mlp } from '../../../src/nn/mlp.js';
import type { Module } from '../../../src/nn/module.js';
import { add, mulScalar } from '../../../src/ops/arithmetic.js';
import { concat } from '../../../src/ops/concat.js';
import { ones, zeros } from '../../../src/launch/fill.js';
import { bceWithLogits } from '../../../src/ops/losses/bce-with-logits.js';
import { gaussianKl } from '../../../src/ops/losses/gaussian-kl.js';
import { mse } from '../../../src/ops/losses/mse.js';
import { reparameterize } from '../../../src/ops/reparameterize.js';
import { sigmoid } from '../../../src/ops/unary.js';
import { Adam } from '../../../src/optim/adam.js';
import type { Tensor } from '../../../src/tensor/tensor.js';
import { mlpStateDict, type LayerState } from '../aae/setup.js';
import type { TrainingStepper } from '../training-step/stepper.js';
import { ADAM, GAMMA, PRIOR_WEIGHT } from './hyperparameters.js';
import { BATCH, LATENT, PIXELS, networkSizes, type VaeGanArchitecture, type VaeGanBatch, type VaeGanState } from './setup.js';

/** `capture` passes options to `engine.capture` (the buffer-plan benchmark compares planning on and off). */
export function ourVaeGan(engine: Engine, architecture: VaeGanArchitecture, state: VaeGanState, capture?: CaptureOptions): TrainingStepper<VaeGanBatch> {
  const sizes = networkSizes(architecture);
  const last = architecture.hidden[architecture.hidden.length - 1];
  const encoderTrunk = new Mlp(engine, sizes.encoderTrunk, { hidden: 'relu', output: 'relu' });
  const meanHead = new Linear(engine, last, LATENT);
  const logVarianceHead = new Linear(engine, last, LATENT);
  const decoder = new Mlp(engine, sizes.decoder);
  const discriminatorFeatures = new Mlp(engine, sizes.discriminatorFeatures, { hidden: 'relu', output: 'relu' });
  const discriminatorHead = new Linear(engine, last, 1);
  encoderTrunk.loadStateDict(mlpStateDict(state.encoderTrunk));
  decoder.loadStateDict(mlpStateDict(state.decoder));
  discriminatorFeatures.loadStateDict(mlpStateDict(state.discriminatorFeatures));
  const linearState = (layer: LayerState) => ({ weight: layer.weight, bias: layer.bias });
  meanHead.loadStateDict(linearState(state.meanHead));
  logVarianceHead.loadStateDict(linearState(state.logVarianceHead));
  discriminatorHead.loadStateDict(linearState(state.discriminatorHead));
  const encoder = [encoderTrunk, meanHead, logVarianceHead];
  const discriminator = [discriminatorFeatures, discriminatorHead];
  const parametersOf = (modules: Module[]) => modules.flatMap((module) => module.parameters());
  const encoderOptimizer = new Adam(parametersOf(encoder), ADAM);
  const decoderOptimizer = new Adam(decoder, ADAM);
  const discriminatorOptimizer = new Adam(parametersOf(discriminator), ADAM);
  const images = engine.keep(engine.empty([BATCH, PIXELS]));
  const prior = engine.keep(engine.empty([BATCH, LATENT]));
  const noise = engine.keep(engine.empty([BATCH, LATENT]));
  const real = engine.keep(ones(engine, [BATCH, 1]));
  const fake = engine.keep(zeros(engine, [BATCH, 1]));

  const encode = () => {
    const hidden = encoderTrunk.forward(images);
    const mean = meanHead.forward(hidden);
    const logVariance = logVarianceHead.forward(hidden);
    return { mean, logVariance, z: reparameterize(mean, logVariance, noise) };
  };
  const decode = (codes: Tensor) => sigmoid(decoder.forward(codes));
  const discriminate = (x: Tensor) => discriminatorHead.forward(discriminatorFeatures.forward(x));
  const frozen = <T>(modules: Module[], phase: () => T): T => {
    modules.forEach((module) => module.freeze());
    try {
      return phase();
    } finally {
      modules.forEach((module) => module.unfreeze());
    }
  };

  const trainStep = (): Tensor => {
    // D_l(x), the reconstruction target: D does not change before its own phase, the last.
    const target = engine.noGrad(() => discriminatorFeatures.forward(images));

    const [priorLoss, featureReconstruction] = frozen([decoder, ...discriminator], () => {
      const { mean, logVariance, z } = encode();
      const kl = gaussianKl(mean, logVariance, 'batchMean');
      const feature = mse(discriminatorFeatures.forward(decode(z)), target, 'batchMean');
      backward(add(mulScalar(kl, PRIOR_WEIGHT), feature));
      return [kl, feature];
    });
    encoderOptimizer.step();
    encoderOptimizer.zeroGrad();

    const decoderGan = frozen(discriminator, () => {
      const codes = engine.noGrad(() => encode().z);
      const reconstructed = decode(codes);
      const feature = mse(discriminatorFeatures.forward(reconstructed), target, 'batchMean');
      const gan = add(bceWithLogits(discriminate(decode(prior)), real), bceWithLogits(discriminate(reconstructed), real));
      backward(add(mulScalar(feature, GAMMA), gan));
      return gan;
    });
    decoderOptimizer.step();
    decoderOptimizer.zeroGrad();

    const [sampled, reconstructed] = engine.noGrad(() => [decode(prior), decode(encode().z)]);
    const discriminatorLoss = add(bceWithLogits(discriminate(images), real), add(bceWithLogits(discriminate(sampled), fake), bceWithLogits(discriminate(reconstructed), fake)));
    backward(discriminatorLoss);
    discriminatorOptimizer.step();
    discriminatorOptimizer.zeroGrad();
    return concat([priorLoss, featureReconstruction, decoderGan, discriminatorLoss], 0);
  };

  let captured: CapturedStep<Tensor> | null = null;
  return {
    async step(batch) {
      images.write(batch.images);
      prior.write(batch.prior);
      noise.write(batch.noise);
      if (captured) captured.run();
      else captured = engine.capture(trainStep, capture);
      return Array.from(await captured.outputs.read());
    },
    async peakBytes(batch) {
      await this.step(batch);
      return engine.memory().peakBytes;
    },
    dispose() {
      captured?.dispose();
      for (const module of [...encoder, decoder, ...discriminator]) module.dispose();
      for (const optimizer of [encoderOptimizer, decoderOptimizer, discriminatorOptimizer]) optimizer.dispose();
      for (const tensor of [images, prior, noise, real, fake]) tensor.dispose();
    },
  };
}
