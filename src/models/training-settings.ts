/**
 * How a model learns: its optimizers, the weights of its losses and its seed. None of them changes a
 * network's shape; a checkpoint keeps them, and a resumed run continues with its own, so that it reaches
 * what an uninterrupted run would. (The minibatch size is the trainer's: see RunSettings.)
 */
export interface TrainingSettings {
  /** Standard deviation of the Gaussian prior. */
  priorScale: number;
  /**
   * Categorical and supervised AAEs: standard deviation of the style posterior q(z|x) = N(f(x), styleNoise² I);
   * 0 makes z = f(x). The noise bounds what z can carry, so the decoder has to take the category from y
   * (the supervised AAE: from the one-hot digit it is given).
   */
  styleNoise: number;
  /**
   * Categorical AAEs: the weight of the InfoGAN-style mutual-information term (CategoricalAae's
   * `mutualInformationCost`) beside the reconstruction; 0 leaves it out: the paper's method.
   */
  mutualInformation: number;
  /**
   * Semi-supervised AAE: standard deviation of Gaussian noise added to the pixels the encoder sees while
   * training (every phase; the reconstruction target stays clean; evaluation encodes clean images). With
   * 1,000 labels the labelled cross-entropy falls to ~0.002 within two epochs: the labels are learnt by
   * heart. Noise makes every labelled step a new image, and the autoencoder a denoising one. 0 turns it off.
   */
  inputNoise: number;
  /**
   * Categorical AAEs: every optimizer's learning rate halves every this many steps (Adam's `halfLife`);
   * 0 keeps the rates constant. Counted in steps, so it needs no total length of training.
   */
  learningRateHalfLife: number;
  /** VAE-GAN: skip D's or the decoder's update when D is far ahead or behind (the reference code's gating). */
  gating: boolean;
  /** VAE-GAN: how much the decoder weighs feature reconstruction against fooling D (the paper's gamma). */
  gamma: number;
  /**
   * VAE-GAN: the encoder's weight of the KL term against feature reconstruction. Both are sums (over code
   * dimensions, over D_l's features), and the features' squared distances are small next to a pixel BCE:
   * after 200 steps the code carried ~10 nats with weight 1 and ~22 with 0.1, at about the same test
   * reconstruction BCE (150, 153); 0.1 is what the 30-minute run in the README used.
   */
  priorWeight: number;
  learningRate: number;
  adversarialLearningRate: number;
  beta1: number;
  /** Seeds the initial weights, the GPU random stream, the shuffling and the prior samples. */
  seed: number;
}
