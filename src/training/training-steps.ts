import type { Engine } from '../device/engine.js';
import { Batcher } from '../data/batcher.js';
import { gatherImages, type GpuImageSet } from '../data/gpu-images.js';
import type { LabelledImages, MnistSplit } from '../data/mnist.js';
import type { CapturedStep } from '../device/captured-step.js';
import { usesLabelledPhase } from '../models/architecture.js';
import type { ModelConfig } from '../models/config.js';
import type { GenerativeModel, TrainingBatch } from '../models/model.js';
import { createModelPrior, type Prior } from '../models/priors.js';
import { deriveSeed } from '../random/seeded.js';
import type { Tensor } from '../tensor/tensor.js';

export interface TrainingStepsOptions {
  /** The training images, already on the GPU (the same set `train` describes). */
  images: GpuImageSet;
  /** Their labels (and sizes); only the split's indices are drawn. */
  train: LabelledImages;
  /** Which training images train, and which of them keep their label. */
  split: Pick<MnistSplit, 'train' | 'labelled'>;
  /** Images per step (RunSettings.batchSize). */
  batchSize: number;
  /** Steps already taken (a resumed run): must fall on an epoch boundary. */
  stepsDone?: number;
  /** Let the captured step's intermediates share buffers (engine.capture's `planBuffers`); default true. */
  planBuffers?: boolean;
}

/**
 * The training steps of one model on one data set, without files or evaluation, so that the CLI's
 * trainer and the browser page run the very same steps: same minibatches, same prior samples, same
 * arithmetic, for the same seed.
 *
 * The first `step()` records the model's whole step (every phase and optimizer update) once; later
 * steps write the minibatch indices, labels and prior samples into the step's input tensors and replay
 * it with one submit. Nothing is read back unless `readLosses()` is called.
 */
export class TrainingSteps {
  readonly stepsPerEpoch: number;
  private readonly engine: Engine;
  private readonly config: ModelConfig;
  private readonly batcher: Batcher;
  private readonly labelledBatcher: Batcher | null;
  private readonly labelled: Set<number>;
  private readonly inputs: { indices: Tensor; labels: Tensor; priorCodes: Tensor; priorComponents: Tensor };
  private readonly labelledInputs: { indices: Tensor; labels: Tensor } | null;
  private captured: CapturedStep<Tensor> | null = null;
  private prior: Prior;
  private stepsTaken: number;

  constructor(
    readonly model: GenerativeModel,
    private readonly options: TrainingStepsOptions,
  ) {
    this.engine = model.engine;
    this.config = model.config;
    const { seed } = this.config;
    const { batchSize } = options;
    this.batcher = new Batcher(options.split.train, { batchSize, seed: deriveSeed(seed, 7) });
    this.stepsPerEpoch = this.batcher.batchesPerEpoch;
    this.stepsTaken = options.stepsDone ?? 0;
    if (this.stepsTaken % this.stepsPerEpoch !== 0) {
      throw new Error(`TrainingSteps: stepsDone ${this.stepsTaken} is not a whole number of epochs of ${this.stepsPerEpoch} steps.`);
    }
    const startEpoch = this.stepsTaken / this.stepsPerEpoch;
    this.batcher.startAt(startEpoch);
    this.prior = epochPrior(this.config, startEpoch);
    this.labelled = new Set(options.split.labelled);

    // The semi-supervised AAE also takes a labelled minibatch each step, cycled through the labelled set;
    // a resumed run continues that stream where it was (one labelled batch was drawn per step).
    this.labelledBatcher = usesLabelledPhase(this.config.model) ? new Batcher(options.split.labelled, { batchSize, seed: deriveSeed(seed, 8) }) : null;
    for (let step = 0; this.labelledBatcher && step < this.stepsTaken; step++) this.labelledBatcher.next();

    const engine = this.engine;
    this.inputs = {
      indices: engine.keep(engine.empty([batchSize], 'u32')),
      labels: engine.keep(engine.empty([batchSize], 'u32')),
      priorCodes: engine.keep(engine.empty([batchSize, this.config.latent])),
      priorComponents: engine.keep(engine.empty([batchSize], 'u32')),
    };
    this.labelledInputs = this.labelledBatcher
      ? { indices: engine.keep(engine.empty([batchSize], 'u32')), labels: engine.keep(engine.empty([batchSize], 'u32')) }
      : null;
  }

  /** Steps taken so far, those of a resumed run's earlier epochs included. */
  get steps(): number {
    return this.stepsTaken;
  }

  /** The epoch the next step belongs to, counting from 0. */
  get epoch(): number {
    return Math.floor(this.stepsTaken / this.stepsPerEpoch);
  }

  /** Records (the first time) or replays one training step. */
  step(): void {
    if (this.stepsTaken % this.stepsPerEpoch === 0) this.prior = epochPrior(this.config, this.epoch);
    this.fillInputs();
    if (this.captured) {
      this.captured.run();
    } else {
      const { images } = this.options;
      const { inputs, labelledInputs } = this;
      this.captured = this.engine.capture(() =>
        this.model.trainStep({
          images: gatherImages(images, inputs.indices),
          labels: inputs.labels,
          priorCodes: inputs.priorCodes,
          priorComponents: inputs.priorComponents,
          ...(labelledInputs ? { labelledImages: gatherImages(images, labelledInputs.indices), labelledLabels: labelledInputs.labels } : {}),
        } satisfies TrainingBatch),
        { planBuffers: this.options.planBuffers ?? true },
      );
    }
    this.stepsTaken++;
  }

  /** The losses of the last step, by name (`model.lossNames`); waits for the GPU. */
  async readLosses(): Promise<Record<string, number>> {
    if (!this.captured) throw new Error('TrainingSteps.readLosses: no step has been taken yet; call step() first.');
    const values = (await this.captured.outputs.read()) as Float32Array;
    return Object.fromEntries(this.model.lossNames.map((name, i) => [name, values[i]]));
  }

  dispose(): void {
    this.captured?.dispose();
    this.captured = null;
    for (const tensor of [...Object.values(this.inputs), ...Object.values(this.labelledInputs ?? {})]) tensor.dispose();
  }

  private fillInputs(): void {
    const { config, inputs } = this;
    const { classes } = config;
    const { batchSize } = this.options;
    const trainLabels = this.options.train.labels;
    const indices = this.batcher.next();
    const labels = new Uint32Array(batchSize);
    // The supervised AAE's decoder is given every image's digit, so nothing is unlabelled for it.
    const hidesUnlabelled = config.conditional && config.model !== 'supervised-aae';
    for (let i = 0; i < batchSize; i++) {
      // `classes` is the discriminator's extra slot meaning "unlabelled".
      labels[i] = hidesUnlabelled && !this.labelled.has(indices[i]) ? classes : trainLabels[indices[i]];
    }
    // Label-conditioned regularization: the prior sample beside image i comes from its digit's component
    // and carries the same label; an unlabelled image is matched with a sample of the whole mixture.
    const sample = config.conditional
      ? this.prior.sample(batchSize, labels.map((label) => (label === classes ? randomComponent(this.prior) : label)))
      : this.prior.sample(batchSize);
    inputs.indices.write(indices);
    inputs.labels.write(labels);
    inputs.priorCodes.write(sample.codes);
    inputs.priorComponents.write(config.conditional ? labels : Uint32Array.from(sample.components));
    if (this.labelledInputs && this.labelledBatcher) {
      const labelledIndices = this.labelledBatcher.next();
      this.labelledInputs.indices.write(labelledIndices);
      this.labelledInputs.labels.write(Uint32Array.from(labelledIndices, (index) => trainLabels[index]));
    }
  }
}

/** A fresh, seeded prior stream per epoch, so that a resumed run draws what an uninterrupted one would. */
function epochPrior(config: ModelConfig, epoch: number): Prior {
  return createModelPrior(config, deriveSeed(config.seed, 10_000 + epoch));
}

function randomComponent(prior: Prior): number {
  return prior.sample(1).components[0];
}
