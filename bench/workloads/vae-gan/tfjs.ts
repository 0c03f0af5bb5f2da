// The same VAE-GAN step in TensorFlow.js: the same layers (tf.fused.matMul with bias and ReLU), the same
// losses and reductions as ours (KL and feature reconstruction summed over their dimensions and averaged
// over the batch; GAN terms mean BCE on logits), the same noise, three Adam optimizers each minimizing
// over the variables of its own network only, which is what routes each loss to its network here.
import type { Scalar, Tensor, Tensor2D, Variable } from '@tensorflow/tfjs';
import type { TfjsPeer } from '../../peers/tfjs.js';
import type { LayerState } from '../aae/setup.js';
import type { TrainingStepper } from '../training-step/stepper.js';
import { tfjsStepPeakBytes } from '../training-step/tfjs-peak-bytes.js';
import { ADAM, GAMMA, PRIOR_WEIGHT } from './hyperparameters.js';
import { BATCH, LATENT, PIXELS, type VaeGanBatch, type VaeGanState } from './setup.js';

interface TfLayer {
  weight: Variable;
  bias: Variable;
}

export async function tfjsVaeGan(peer: TfjsPeer, state: VaeGanState): Promise<TrainingStepper<VaeGanBatch>> {
  await peer.activate();
  const tf = peer.tf;
  const variable = (layer: LayerState): TfLayer => ({
    weight: tf.variable(tf.tensor2d(layer.weight, [layer.inputs, layer.outputs])),
    bias: tf.variable(tf.tensor1d(layer.bias)),
  });
  const encoderTrunk = state.encoderTrunk.map(variable);
  const meanHead = variable(state.meanHead);
  const logVarianceHead = variable(state.logVarianceHead);
  const decoder = state.decoder.map(variable);
  const discriminatorFeatures = state.discriminatorFeatures.map(variable);
  const discriminatorHead = variable(state.discriminatorHead);
  const list = (layers: TfLayer[]) => layers.flatMap((layer) => [layer.weight, layer.bias]);
  const encoderVariables = list([...encoderTrunk, meanHead, logVarianceHead]);
  const decoderVariables = list(decoder);
  const discriminatorVariables = list([...discriminatorFeatures, discriminatorHead]);

  const dense = (layer: TfLayer, input: Tensor2D, activation: 'relu' | 'linear') =>
    tf.fused.matMul({ a: input, b: layer.weight as Tensor2D, bias: layer.bias, activation }) as Tensor2D;
  /** ReLU after every layer but the last, whose activation is `lastActivation`. */
  const stack = (layers: TfLayer[], input: Tensor2D, lastActivation: 'relu' | 'linear'): Tensor2D =>
    layers.reduce((h, layer, i) => dense(layer, h, i < layers.length - 1 ? 'relu' : lastActivation), input);
  const encode = (images: Tensor2D, noise: Tensor2D) => {
    const hidden = stack(encoderTrunk, images, 'relu');
    const mean = dense(meanHead, hidden, 'linear');
    const logVariance = dense(logVarianceHead, hidden, 'linear');
    return { mean, logVariance, z: mean.add(logVariance.mul(0.5).exp().mul(noise)) as Tensor2D };
  };
  const decode = (codes: Tensor2D) => tf.sigmoid(stack(decoder, codes, 'linear')) as Tensor2D;
  const features = (images: Tensor2D) => stack(discriminatorFeatures, images, 'relu');
  const discriminate = (images: Tensor2D) => dense(discriminatorHead, features(images), 'linear');
  const meanBce = (logits: Tensor2D, target: number): Scalar =>
    tf.losses.sigmoidCrossEntropy(tf.fill(logits.shape, target), logits, undefined, 0, tf.Reduction.MEAN) as Scalar;
  const batchMeanOfSum = (values: Tensor): Scalar => values.sum().div(BATCH) as Scalar;

  const adam = () => tf.train.adam(ADAM.learningRate, ADAM.beta1, ADAM.beta2, ADAM.epsilon);
  const encoderOptimizer = adam();
  const decoderOptimizer = adam();
  const discriminatorOptimizer = adam();

  const computeLosses = (batch: VaeGanBatch) =>
    tf.tidy(() => {
      const images = tf.tensor2d(batch.images, [BATCH, PIXELS]);
      const prior = tf.tensor2d(batch.prior, [BATCH, LATENT]);
      const noise = tf.tensor2d(batch.noise, [BATCH, LATENT]);
      const target = features(images);

      // The encoder's loss is one sum; its two terms are kept out of the gradient's tidy to report them.
      let terms: Scalar[] = [];
      encoderOptimizer.minimize(
        () => {
          const { mean, logVariance, z } = encode(images, noise);
          const kl = batchMeanOfSum(mean.square().add(logVariance.exp()).sub(1).sub(logVariance).mul(0.5));
          const feature = batchMeanOfSum(features(decode(z)).sub(target).square());
          terms = [tf.keep(kl), tf.keep(feature)];
          return kl.mul(PRIOR_WEIGHT).add(feature) as Scalar;
        },
        false,
        encoderVariables,
      );
      decoderOptimizer.minimize(
        () => {
          const codes = encode(images, noise).z;
          const reconstructed = decode(codes);
          const feature = batchMeanOfSum(features(reconstructed).sub(target).square());
          const gan = meanBce(discriminate(decode(prior)), 1).add(meanBce(discriminate(reconstructed), 1)) as Scalar;
          terms.push(tf.keep(gan));
          return feature.mul(GAMMA).add(gan) as Scalar;
        },
        false,
        decoderVariables,
      );
      const sampled = decode(prior);
      const reconstructed = decode(encode(images, noise).z);
      const discriminatorLoss = discriminatorOptimizer.minimize(
        () => meanBce(discriminate(images), 1).add(meanBce(discriminate(sampled), 0)).add(meanBce(discriminate(reconstructed), 0)) as Scalar,
        true,
        discriminatorVariables,
      )!;
      const losses = tf.stack([...terms, discriminatorLoss]);
      terms.forEach((term) => term.dispose());
      return losses;
    });
  const readLosses = async (losses: ReturnType<typeof computeLosses>): Promise<number[]> => {
    const values = await peer.wait(losses.data());
    losses.dispose();
    return Array.from(values);
  };

  return {
    before: () => peer.activate(),
    step: (batch) => readLosses(computeLosses(batch)),
    peakBytes: (batch) =>
      tfjsStepPeakBytes(
        peer,
        () => computeLosses(batch),
        readLosses,
        [...encoderVariables, ...decoderVariables, ...discriminatorVariables],
        [encoderOptimizer, decoderOptimizer, discriminatorOptimizer],
      ),
    dispose() {
      for (const v of [...encoderVariables, ...decoderVariables, ...discriminatorVariables]) v.dispose();
      for (const optimizer of [encoderOptimizer, decoderOptimizer, discriminatorOptimizer]) optimizer.dispose();
    },
  };
}
