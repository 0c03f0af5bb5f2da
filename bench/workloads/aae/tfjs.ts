// The same AAE step in TensorFlow.js: the same layers (tf.fused.matMul with bias and ReLU, tfjs's best
// path for a dense layer), the same losses and reductions as ours (reconstruction: BCE on logits summed
// over pixels, averaged over the batch; adversarial terms: mean BCE), three Adam optimizers each
// minimizing over an explicit list of variables. The three losses are read back once per step.
import type { Scalar, Tensor2D, Variable } from '@tensorflow/tfjs';
import type { TfjsPeer } from '../../peers/tfjs.js';
import { LEARNING_RATE } from './ours.js';
import { BATCH, LATENT, PIXELS, type AaeBatch, type AaeState, type LayerState } from './setup.js';
import type { AaeStepper, Losses } from './stepper.js';
import { tfjsStepPeakBytes } from '../training-step/tfjs-peak-bytes.js';

interface TfLayer {
  weight: Variable;
  bias: Variable;
}

export async function tfjsAae(peer: TfjsPeer, state: AaeState): Promise<AaeStepper> {
  await peer.activate();
  const tf = peer.tf;
  const variables = (layers: LayerState[]): TfLayer[] =>
    layers.map((layer) => ({
      weight: tf.variable(tf.tensor2d(layer.weight, [layer.inputs, layer.outputs])),
      bias: tf.variable(tf.tensor1d(layer.bias)),
    }));
  const encoder = variables(state.encoder);
  const decoder = variables(state.decoder);
  const discriminator = variables(state.discriminator);
  const list = (layers: TfLayer[]) => layers.flatMap((layer) => [layer.weight, layer.bias]);

  /** ReLU after every layer but the last, which gives logits (or the linear code). */
  const forward = (layers: TfLayer[], input: Tensor2D): Tensor2D => {
    let h = input;
    layers.forEach((layer, i) => {
      const activation = i < layers.length - 1 ? 'relu' : 'linear';
      h = tf.fused.matMul({ a: h, b: layer.weight as Tensor2D, bias: layer.bias, activation }) as Tensor2D;
    });
    return h;
  };
  const meanBce = (logits: Tensor2D, target: number): Scalar =>
    tf.losses.sigmoidCrossEntropy(tf.fill(logits.shape, target), logits, undefined, 0, tf.Reduction.MEAN) as Scalar;

  const adam = () => tf.train.adam(LEARNING_RATE, 0.9, 0.999, 1e-8);
  const autoencoderOptimizer = adam();
  const discriminatorOptimizer = adam();
  const generatorOptimizer = adam();

  const computeLosses = (batch: AaeBatch) =>
    tf.tidy(() => {
      const images = tf.tensor2d(batch.images, [BATCH, PIXELS]);
      const prior = tf.tensor2d(batch.prior, [BATCH, LATENT]);
      const reconstruction = autoencoderOptimizer.minimize(
        () => tf.losses.sigmoidCrossEntropy(images, forward(decoder, forward(encoder, images)), undefined, 0, tf.Reduction.SUM).div(BATCH) as Scalar,
        true,
        [...list(encoder), ...list(decoder)],
      )!;
      const codes = forward(encoder, images);
      const discriminatorLoss = discriminatorOptimizer.minimize(
        () => meanBce(forward(discriminator, prior), 1).add(meanBce(forward(discriminator, codes), 0)) as Scalar,
        true,
        list(discriminator),
      )!;
      const generatorLoss = generatorOptimizer.minimize(() => meanBce(forward(discriminator, forward(encoder, images)), 1), true, list(encoder))!;
      return tf.stack([reconstruction, discriminatorLoss, generatorLoss]);
    });
  const readLosses = async (losses: ReturnType<typeof computeLosses>): Promise<Losses> => {
    const values = await peer.wait(losses.data());
    losses.dispose();
    return [values[0], values[1], values[2]];
  };

  return {
    before: () => peer.activate(),
    step: (batch) => readLosses(computeLosses(batch)),
    peakBytes: (batch) =>
      tfjsStepPeakBytes(peer, () => computeLosses(batch), readLosses, [...list(encoder), ...list(decoder), ...list(discriminator)], [
        autoencoderOptimizer,
        discriminatorOptimizer,
        generatorOptimizer,
      ]),
    dispose() {
      for (const variable of [...list(encoder), ...list(decoder), ...list(discriminator)]) variable.dispose();
      for (const optimizer of [autoencoderOptimizer, discriminatorOptimizer, generatorOptimizer]) optimizer.dispose();
    },
  };
}
