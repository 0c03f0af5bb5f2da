// The VAE-GAN step's optimizer settings and loss weight, shared by both sides.

/** Adam for all three networks. */
export const ADAM = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

/** The decoder's weight of feature reconstruction against the GAN loss (the model's default). */
export const GAMMA = 1;

/** The encoder's weight of the KL term against feature reconstruction (the model's default). */
export const PRIOR_WEIGHT = 0.1;

/** The names of the four losses each step reports, in order. */
export const LOSS_NAMES = ['prior', 'featureReconstruction', 'decoderGan', 'discriminator'] as const;
