// The same AAE step in jax-js: the same layers, losses and reductions as ours and tfjs's (reconstruction:
// BCE on logits summed over pixels, averaged over the batch; adversarial terms: mean BCE), each phase a
// `jit` of `valueAndGrad` and its Adam update (jax-js's optimizer package is not on npm, so Adam is written
// here in its numpy ops, as our kernel computes it). The three losses are read back once per step.
// jax-js arrays are reference-counted: a function consumes its arguments, so `.ref` (or `tree.ref`)
// keeps what is used again.
import type { JaxArray, JaxPeer } from '../../peers/jax.js';
import { LEARNING_RATE } from './ours.js';
import { BATCH, LATENT, PIXELS, type AaeBatch, type AaeState, type LayerState } from './setup.js';
import type { AaeStepper, Losses } from './stepper.js';

const [BETA1, BETA2, EPSILON] = [0.9, 0.999, 1e-8];

type Layer = { weight: JaxArray; bias: JaxArray };
type Moments = { first: Layer[]; second: Layer[] };

export async function jaxAae(peer: JaxPeer, state: AaeState): Promise<AaeStepper> {
  await peer.activate();
  const { numpy: np, nn, tree, valueAndGrad, jit } = peer.jax;
  const layers = (saved: LayerState[]): Layer[] => saved.map((layer) => ({ weight: np.array(layer.weight).reshape([layer.inputs, layer.outputs]), bias: np.array(layer.bias) }));
  const zeros = (of: Layer[]): Layer[] => of.map((layer) => ({ weight: np.zeros(layer.weight.shape), bias: np.zeros(layer.bias.shape) }));
  let encoder = layers(state.encoder);
  let decoder = layers(state.decoder);
  let discriminator = layers(state.discriminator);
  const moments = { autoencoder: { first: zeros([...encoder, ...decoder]), second: zeros([...encoder, ...decoder]) }, discriminator: { first: zeros(discriminator), second: zeros(discriminator) }, generator: { first: zeros(encoder), second: zeros(encoder) } };
  let step = 0;

  /** ReLU after every layer but the last. Consumes the layers and the input. */
  const forward = (network: Layer[], input: JaxArray): JaxArray => {
    let h = input;
    network.forEach((layer, i) => {
      h = np.matmul(h, layer.weight).add(layer.bias);
      if (i < network.length - 1) h = nn.relu(h);
    });
    return h;
  };
  // BCE from logits z: softplus(z) - z·y, which is softplus(-z) against 1 and softplus(z) against 0.
  const reconstructionLoss = ([encoderLayers, decoderLayers]: [Layer[], Layer[]], images: JaxArray): JaxArray => {
    const logits = forward(decoderLayers, forward(encoderLayers, images.ref));
    return nn.softplus(logits.ref).sub(logits.mul(images)).sum().div(BATCH);
  };
  const againstOne = (logits: JaxArray) => nn.softplus(logits.neg()).mean();
  const againstZero = (logits: JaxArray) => nn.softplus(logits).mean();

  /** One Adam update of every layer (bias corrections given as arrays, so that one trace serves every step). */
  const adam = (network: Layer[], gradients: Layer[], moment: Moments, firstCorrection: JaxArray, secondCorrection: JaxArray) => {
    const updated: Layer[] = [];
    const first: Layer[] = [];
    const second: Layer[] = [];
    const one = (parameter: JaxArray, gradient: JaxArray, m: JaxArray, v: JaxArray): [JaxArray, JaxArray, JaxArray] => {
      const m2 = m.mul(BETA1).add(gradient.ref.mul(1 - BETA1));
      const v2 = v.mul(BETA2).add(gradient.ref.mul(gradient).mul(1 - BETA2));
      const step = m2.ref.mul(firstCorrection.ref).mul(LEARNING_RATE).div(np.sqrt(v2.ref.mul(secondCorrection.ref)).add(EPSILON));
      return [parameter.sub(step), m2, v2];
    };
    network.forEach((layer, i) => {
      const [weight, firstWeight, secondWeight] = one(layer.weight, gradients[i]!.weight, moment.first[i]!.weight, moment.second[i]!.weight);
      const [bias, firstBias, secondBias] = one(layer.bias, gradients[i]!.bias, moment.first[i]!.bias, moment.second[i]!.bias);
      updated.push({ weight, bias });
      first.push({ weight: firstWeight, bias: firstBias });
      second.push({ weight: secondWeight, bias: secondBias });
    });
    firstCorrection.dispose();
    secondCorrection.dispose();
    return { network: updated, moments: { first, second } };
  };

  // Phase 1: encoder and decoder reconstruct.
  const reconstructionPhase = jit((encoderLayers: Layer[], decoderLayers: Layer[], moment: Moments, c1: JaxArray, c2: JaxArray, images: JaxArray) => {
    const [loss, [encoderGradients, decoderGradients]] = valueAndGrad(reconstructionLoss)(tree.ref([encoderLayers, decoderLayers]), images);
    // One Adam over both networks, as ours and tfjs's: its moments list the encoder's layers, then the decoder's.
    return { loss, ...adam([...encoderLayers, ...decoderLayers], [...encoderGradients, ...decoderGradients], moment, c1, c2) };
  });
  // Phase 2: the discriminator tells prior samples (1) from the encoder's codes (0).
  const discriminatorPhase = jit((network: Layer[], moment: Moments, c1: JaxArray, c2: JaxArray, encoderLayers: Layer[], images: JaxArray, prior: JaxArray) => {
    const codes = forward(encoderLayers, images);
    const loss = (d: Layer[]) => againstOne(forward(tree.ref(d), prior.ref)).add(againstZero(forward(d, codes.ref)));
    const [value, gradients] = valueAndGrad(loss)(tree.ref(network));
    prior.dispose();
    codes.dispose();
    return { loss: value, ...adam(network, gradients, moment, c1, c2) };
  });
  // Phase 3: the encoder, as generator, fools the (frozen) discriminator.
  const generatorPhase = jit((network: Layer[], moment: Moments, c1: JaxArray, c2: JaxArray, discriminatorLayers: Layer[], images: JaxArray) => {
    const loss = (e: Layer[]) => againstOne(forward(tree.ref(discriminatorLayers), forward(e, images.ref)));
    const [value, gradients] = valueAndGrad(loss)(tree.ref(network));
    tree.dispose(discriminatorLayers);
    images.dispose();
    return { loss: value, ...adam(network, gradients, moment, c1, c2) };
  });

  return {
    async step(batch: AaeBatch): Promise<Losses> {
      step++;
      const corrections = () => [np.array(1 / (1 - BETA1 ** step)), np.array(1 / (1 - BETA2 ** step))] as const;
      const images = np.array(batch.images).reshape([BATCH, PIXELS]);
      const prior = np.array(batch.prior).reshape([BATCH, LATENT]);
      const reconstruction = reconstructionPhase(encoder, decoder, moments.autoencoder, ...corrections(), images.ref);
      encoder = reconstruction.network.slice(0, encoder.length);
      decoder = reconstruction.network.slice(encoder.length);
      moments.autoencoder = reconstruction.moments;
      const adversary = discriminatorPhase(discriminator, moments.discriminator, ...corrections(), tree.ref(encoder), images.ref, prior);
      discriminator = adversary.network;
      moments.discriminator = adversary.moments;
      const generator = generatorPhase(encoder, moments.generator, ...corrections(), tree.ref(discriminator), images);
      encoder = generator.network;
      moments.generator = generator.moments;
      const losses = np.stack([reconstruction.loss, adversary.loss, generator.loss]);
      // jax-js is lazy: without this the last phase's update would run inside the next step's time.
      await peer.wait(peer.jax.blockUntilReady([losses, encoder, decoder, discriminator, moments]));
      const values = (await peer.wait(losses.data())) as Float32Array;
      return [values[0]!, values[1]!, values[2]!];
    },
    dispose() {
      tree.dispose([encoder, decoder, discriminator, moments]);
      for (const phase of [reconstructionPhase, discriminatorPhase, generatorPhase]) phase.dispose();
    },
  };
}
